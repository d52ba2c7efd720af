package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Review is what `profile accept` shows before this store pins (and, for
// an owner, signs) a profile document: who signed it, what changed since
// the version this store last verified, and what accepting will do.
type Review struct {
	Profile  *Profile // the document under review, with its Trust
	Previous *Profile // the last version this store verified, if it kept one ids open

	Fingerprint       string // of the key the document claims ("" when unsigned)
	PinnedFingerprint string // of this store's pinned key ("" when none)
	KeyReplaced       bool   // signed with (or claiming) another key than the pinned one, not endorsed by it
	Rotated           bool   // signed with a key the pinned one endorsed: an owner's rotation
	Owner             bool   // ids can sign it: they open its signing key (a file from before owners: every range)
	Legacy            bool   // written before owners existed
	FreshKey          bool   // accepting makes a fresh signing key pair
	Changes           []string
	Grants            []string // a file from before owners: who becomes a reader of what
	Dropped           []string // sections whose credentials no owner can open: removed on accept

	owner  string // the accepting owner's recipient (legacy files)
	digest [sha256.Size]byte
}

// Review reads profile name, verified or not, and describes what
// accepting it would mean for this store and ids. Errors as Inspect.
func (s *Store) Review(name string, ids []age.Identity) (*Review, error) {
	p, err := s.Inspect(name, ids)
	if err != nil {
		return nil, err
	}
	// A file with no signing key is from before owners only while this
	// store has pinned no version of it: once one verified, a file without
	// a signature is one whose signature was removed (CheckAccept refuses
	// it), never a conversion an owner could take over.
	r := &Review{Profile: p, Legacy: p.Signing == nil && p.Trust.Pin == nil, digest: p.Trust.Digest}
	if p.Signing != nil {
		r.Fingerprint = secure.Fingerprint(p.Signing.Key)
	}
	if pin := p.Trust.Pin; pin != nil {
		r.PinnedFingerprint = secure.Fingerprint(pin.Key)
		r.Rotated = p.Trust.Rotated
		r.KeyReplaced = (p.Signing == nil || p.Signing.Key != pin.Key) && !r.Rotated
		if last := s.LastVerified(p.UID); last != nil {
			if doc, err := secure.Decrypt(last, ids); err == nil {
				r.Previous, _ = Unmarshal(doc)
				clear(doc)
			}
		}
	}
	if r.Legacy {
		r.legacyOwner(ids)
	} else if p.Signing == nil {
		// signature removed: nobody signs it as it is
	} else if key, err := secure.OpenSigningKey(p.Signing.Sealed(), ids); err == nil {
		r.Owner = true
		switch pin := p.Trust.Pin; {
		case pin != nil:
			r.FreshKey = key.Public() != pin.Key && !(r.Rotated && key.Public() == p.Signing.Key)
		default:
			r.FreshKey = !p.Trust.Signed || key.Public() != p.Signing.Key
		}
	}
	if r.Owner {
		for _, sec := range p.Sections {
			if sec.Secure == nil {
				continue
			}
			if _, err := sec.OpenSecure(ids); mapi.IsCode(err, mapi.NoAccess) || mapi.IsCode(err, mapi.CorruptData) {
				r.Dropped = append(r.Dropped, sec.Name)
			}
		}
	}
	if r.Legacy {
		r.FreshKey = r.Owner
	}
	r.Changes = diffProfiles(r.Previous, p)
	return r, nil
}

// legacyOwner decides whether ids may take ownership of a file written
// before owners existed (they open every range) and lists the grants the
// conversion makes: every other recipient reads exactly the sections whose
// range lists it.
func (r *Review) legacyOwner(ids []age.Identity) {
	p := r.Profile
	mine, err := secure.RecipientsOf(ids)
	if err != nil {
		return
	}
	for _, m := range mine {
		if slices.Contains(p.Recipients, m) {
			r.owner = m
			break
		}
	}
	if r.owner == "" {
		return
	}
	reads := map[string][]string{}
	for _, sec := range p.Sections {
		if sec.Secure == nil {
			continue
		}
		c, err := sec.OpenSecure(ids)
		if err != nil {
			return // not every range opens: not an owner
		}
		for _, rc := range c.Recipients {
			if rc != r.owner {
				reads[rc] = append(reads[rc], sec.Name)
			}
		}
	}
	r.Owner = true
	for _, rc := range p.Recipients {
		if rc == r.owner {
			r.Grants = append(r.Grants, "owner: "+rc)
			continue
		}
		if secs := reads[rc]; len(secs) > 0 {
			r.Grants = append(r.Grants, fmt.Sprintf("reader of %v: %s", secs, rc))
		} else {
			r.Grants = append(r.Grants, "reads no section, loses the profile: "+rc)
		}
	}
}

// Reads lists the sections whose credentials ids may open by the
// document under review: every section for an owner, else those whose
// readers list one of their recipients.
func (r *Review) Reads(ids []age.Identity) []string {
	mine, _ := secure.RecipientsOf(ids)
	var out []string
	for _, s := range r.Profile.Sections {
		if s.Kind == KindGlobal {
			continue
		}
		for _, m := range mine {
			if r.Profile.IsOwner(m) || slices.Contains(s.Readers, m) {
				out = append(out, s.Name)
				break
			}
		}
	}
	return out
}

// CheckKey reports whether fp names the key the document claims.
func (r *Review) CheckKey(fp string) error {
	if r.Fingerprint == "" || fp != r.Fingerprint {
		have := r.Fingerprint
		if have == "" {
			have = "none (the document is not signed)"
		}
		return mapi.Errorf(mapi.NoAccess, "profile %q is signed with key %s, not %s", r.Profile.Name, have, fp).
			WithHint("get the fingerprint from an owner, out of band, and check it before accepting")
	}
	return nil
}

// Accept pins the reviewed document; an owner also re-binds and re-seals
// every range to its owners and readers and signs it as a new version (with
// a fresh key pair when the key was replaced or the file is from before
// owners). A reader pins the document's key and version: only a document
// signed by the key it claims. The file must be unchanged since the review.
func (s *Store) Accept(r *Review, ids []age.Identity) error {
	name := r.Profile.Name
	unlock, err := s.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	p, err := s.Inspect(name, ids)
	if err != nil {
		return err
	}
	if p.Trust.Digest != r.digest {
		return mapi.Errorf(mapi.Busy, "profile %q changed during the review", name).
			WithHint("run 'mapictl profile accept " + textsafe.ShellArg(name) + "' again")
	}
	// An owner with nothing to re-sign pins it as a reader would, with
	// no new version.
	if write := r.Owner && r.needsWrite(p, ids); !write {
		if err := pinOnlyRefusal(p); err != nil {
			return err
		}
		ct, err := fsutil.ReadRegular(s.Path(name))
		if err != nil {
			return diskErr(err, "read profile")
		}
		return s.setPin(p.UID, &Pin{Key: p.Signing.Key, Version: p.Version, Digest: hex.EncodeToString(r.digest[:])}, ct)
	}
	var key *secure.SigningKey
	if !r.FreshKey {
		if key, err = secure.OpenSigningKey(p.Signing.Sealed(), ids); err != nil {
			return err
		}
	} else {
		key = secure.NewSigningKey()
		if p.Signing != nil {
			// Whatever rotations the document lists were not made with
			// this store's key: keep the last verified version's, and
			// endorse the fresh key with the pinned one when this owner
			// can open it there, so other stores follow.
			p.Signing.Rotations = nil
			if prev, old := s.pinnedKey(p, ids); prev != nil {
				p.Signing.Rotations = append(old, Rotation{Key: key.Public(), By: prev.Public(),
					Sig: prev.Endorse(p.UID, key.Public())})
			}
		}
	}
	if r.Legacy {
		p.Owners = []string{r.owner}
		for _, sec := range p.Sections {
			sec.Readers = nil
			if sec.Secure == nil {
				continue
			}
			c, err := sec.OpenSecure(ids)
			if err != nil {
				return err
			}
			for _, rc := range c.Recipients {
				if rc != r.owner && !slices.Contains(sec.Readers, rc) {
					sec.Readers = append(sec.Readers, rc)
				}
			}
		}
	}
	for _, sec := range p.Sections {
		if slices.Contains(r.Dropped, sec.Name) {
			sec.Secure = nil
			continue
		}
		if err := p.Reseal(sec, ids, true); err != nil {
			return err
		}
	}
	p.sealedFor = nil // seal the key to the owners of this document
	return s.commit(p, key, p.Trust.Pin)
}

// pinOnlyRefusal says why p cannot be accepted by pinning it without a new
// signed version (what a reader's accept does, and an owner's with nothing
// to re-sign), or nil when it can: an unsigned document, an older version,
// or the same one with other content is unconfirmed until an owner signs
// one (SPEC §5); a pin never goes back by a reader's accept.
func pinOnlyRefusal(p *Profile) error {
	name := p.Name
	if !p.Trust.Signed {
		return mapi.Errorf(mapi.NoAccess, "only an owner of profile %q can accept it: %s", name, p.Trust.Reason).
			WithHint("ask an owner to review it with 'mapictl profile accept " + textsafe.ShellArg(name) + "' and send you the file")
	}
	if pin := p.Trust.Pin; pin != nil && p.Version <= pin.Version {
		return mapi.Errorf(mapi.NoAccess, "only an owner of profile %q can accept version %d: this store verified version %d", name, p.Version, pin.Version).
			WithHint("ask an owner for the current file and bring it in with 'mapictl profile add FILE'")
	}
	return nil
}

// needsWrite reports whether an owner's accept of p must sign a new
// version: a file from before owners, a key to replace, credentials to
// drop, re-seal or re-bind, no valid signature of its own, or a version
// that does not supersede the pin. Otherwise pinning it is enough, so an
// owner's first contact with a co-owner's profile makes no version that
// would collide with the co-owner's next one.
func (r *Review) needsWrite(p *Profile, ids []age.Identity) bool {
	if r.Legacy || r.FreshKey || len(r.Dropped) > 0 || !p.Trust.Signed {
		return true
	}
	if pin := p.Trust.Pin; pin != nil && p.Version <= pin.Version {
		return true
	}
	for _, s := range p.Sections {
		if p.NeedsReseal(s, ids) {
			return true
		}
	}
	return false
}

// pinnedKey opens, with ids, the signing key of the last version of p this
// store verified, when it is the pinned key; it returns that key and that
// version's rotations, or nil.
func (s *Store) pinnedKey(p *Profile, ids []age.Identity) (*secure.SigningKey, []Rotation) {
	pin := p.Trust.Pin
	last := s.LastVerified(p.UID)
	if pin == nil || last == nil {
		return nil, nil
	}
	doc, err := secure.Decrypt(last, ids)
	if err != nil {
		return nil, nil
	}
	defer clear(doc)
	prev, err := Unmarshal(doc)
	if err != nil || prev.UID != p.UID || prev.Signing == nil {
		return nil, nil
	}
	key, err := secure.OpenSigningKey(prev.Signing.Sealed(), ids)
	if err != nil || key.Public() != pin.Key {
		return nil, nil
	}
	return key, prev.Signing.Rotations
}

// AddResult says what Add did with a file.
type AddResult int

const (
	// AddNew: the store had no profile of the name; the file is written.
	AddNew AddResult = iota
	// AddReplaced: the file replaced the store's copy (a newer verified
	// version, an owner's rotation, or a profile never verified here).
	AddReplaced
	// AddUnchanged: the store's copy is the same file (verified, or of a
	// profile this store never verified), or the same version this store
	// verified: nothing written. Adding what a store
	// has is not an error, so `git pull && mapictl profile add FILE` and
	// a CI job that keeps its store may run it every time.
	AddUnchanged
	// AddRestored: the file is the very version this store verified (its
	// pin's version and digest), and that version replaced a copy that did
	// not verify (a forgery, a rollback) or could not be read (damaged):
	// written as the bytes this store kept when it verified them, when it
	// kept them. A newer copy signed with the key it claims and waiting
	// for review (an owner's rotation) is never replaced so.
	AddRestored
)

// Add brings in a profile file received from elsewhere (SPEC §5): it is
// written to profiles/<its signed name>.age. A new profile stays
// unconfirmed until accepted; a file of a profile this store has (same
// uid) replaces it only when it verifies under the pin at a higher
// version, or is an owner's rotation endorsed by the pinned key at a
// higher version (then unconfirmed until accepted), or is the pinned
// version itself over a copy that does not verify or cannot be read
// (restored, see AddRestored), or when this store never verified that
// profile (nothing trusted is replaced); never when the store's copy is a
// newer version signed with the key it claims and waiting for review. The same
// file (unless it fails to verify under a pin: refused as any other such
// file), or the pinned version over a copy that verifies, is AddUnchanged
// and writes nothing. Errors: MAPI_E_COLLISION when refused (nothing
// replaced), MAPI_E_NO_ACCESS when ids cannot open it,
// MAPI_E_CORRUPT_DATA.
func (s *Store) Add(ct []byte, ids []age.Identity) (*Profile, AddResult, error) {
	doc, err := secure.Decrypt(ct, ids)
	if err != nil {
		if mapi.IsCode(err, mapi.NoAccess) {
			return nil, 0, mapi.Errorf(mapi.NoAccess, "no identity can open this profile file").
				WithHint("pass the key it was shared with using -i FILE")
		}
		return nil, 0, mapi.Wrap(mapi.CorruptData, err, "the profile file is corrupt")
	}
	defer clear(doc)
	p, err := Unmarshal(doc)
	if err != nil {
		return nil, 0, err
	}
	p.Trust = s.judge(p, doc, bytes.NewReader(ct), int64(len(ct)), false)
	if err := s.Init(); err != nil {
		return nil, 0, err
	}
	unlock, err := s.Lock(p.Name)
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	result := AddNew
	if s.Exists(p.Name) {
		var err error
		if result, err = s.judgeAdd(p, ct, ids); err != nil {
			return nil, 0, err
		}
		if result == AddUnchanged {
			return p, result, nil
		}
		if result == AddRestored {
			// the very bytes this store verified when it kept them: a
			// copy re-encrypted to fewer recipients is not what it trusted
			if last := s.pinnedCopy(p.UID, p.Trust.Pin, ids); last != nil {
				ct = last
			}
		}
	}
	if err := fsutil.WriteFileAtomic(s.Path(p.Name), ct); err != nil {
		return nil, 0, diskErr(err, "write profile")
	}
	if p.Trust.Verified && p.Trust.Pin != nil && p.Version > p.Trust.Pin.Version {
		next := &Pin{Key: p.Trust.Pin.Key, Version: p.Version, Digest: hex.EncodeToString(p.Trust.Digest[:])}
		if err := s.setPin(p.UID, next, ct); err != nil {
			s.warnf("could not record version %d of profile %q as verified: %v", p.Version, p.Name, err)
		} else {
			p.Trust.Pin = next
		}
	}
	return p, result, nil
}

// judgeAdd decides what Add does with p (from file ct) over the store's
// copy of the same name: see Add. It never lets an older file replace a
// newer one signed with the key it claims and waiting for review (an
// owner's rotation, say): that is accept's to settle.
func (s *Store) judgeAdd(p *Profile, ct []byte, ids []age.Identity) (AddResult, error) {
	pin := p.Trust.Pin
	cur, err := s.Inspect(p.Name, ids)
	if err != nil {
		if !p.Trust.Verified {
			return 0, mapi.Wrap(mapi.Collision, err, "profile "+quote(p.Name)+" exists and cannot be read").
				WithHint("if that file is damaged, remove it with 'mapictl profile delete " + textsafe.ShellArg(p.Name) + "', then add this one again")
		}
		// damaged, or sealed to other keys: a file that verifies under
		// this store's pin replaces it
		if p.Version == pin.Version {
			return AddRestored, nil
		}
		return AddReplaced, nil
	}
	switch {
	case cur.UID != p.UID:
		return 0, mapi.Errorf(mapi.Collision, "another profile named %q exists in this store", p.Name).
			WithHint("rename yours with 'mapictl profile rename " + textsafe.ShellArg(p.Name) + " NEW' first")
	case s.sameFile(p.Name, ct) && (pin == nil || p.Trust.Verified):
		return AddUnchanged, nil
	case pin == nil:
		return AddReplaced, nil // never verified here: one unconfirmed file for another
	case !cur.Trust.Verified && cur.Trust.Signed && cur.Version > p.Version:
		return 0, mapi.Errorf(mapi.Collision, "refusing to replace profile %q: this store's copy is version %d, newer, signed with key %s and waiting for review (%s)",
			p.Name, cur.Version, cur.KeyFingerprint(), cur.Trust.Reason).
			WithHint("review it with 'mapictl profile accept " + textsafe.ShellArg(p.Name) + "'")
	case p.Trust.Rotated && p.Version > pin.Version:
		return AddReplaced, nil // an owner's rotation: accept shows the new key
	case p.Trust.Verified && p.Version == pin.Version:
		// the version this store verified (judge checked its digest)
		if cur.Trust.Verified {
			return AddUnchanged, nil
		}
		return AddRestored, nil
	case !p.Trust.Verified || p.Version < pin.Version:
		why := p.Trust.Reason
		if why == "" {
			why = fmt.Sprintf("it is version %d, older than version %d here", p.Version, pin.Version)
		}
		return 0, mapi.Errorf(mapi.Collision, "refusing to replace profile %q: %s", p.Name, why)
	}
	return AddReplaced, nil
}

// pinnedCopy returns the last verified copy of profile uid when ids open it
// and it is the version pin names (its digest), else nil.
func (s *Store) pinnedCopy(uid string, pin *Pin, ids []age.Identity) []byte {
	last := s.LastVerified(uid)
	if last == nil || pin == nil {
		return nil
	}
	doc, err := secure.Decrypt(last, ids)
	if err != nil {
		return nil
	}
	defer clear(doc)
	if d, _, _ := signedDigest(doc); hex.EncodeToString(d[:]) != pin.Digest {
		return nil
	}
	return last
}

// sameFile reports whether profile name's file holds exactly ct.
func (s *Store) sameFile(name string, ct []byte) bool {
	cur, err := fsutil.ReadRegular(s.Path(name))
	return err == nil && bytes.Equal(cur, ct)
}

// diffProfiles lists what changed from prev to cur in who reads what and
// in every setting (prev nil: everything cur has), one line each.
func diffProfiles(prev, cur *Profile) []string {
	var out []string
	if prev == nil {
		prev = &Profile{}
	}
	setDiff := func(what string, a, b []string) {
		for _, x := range b {
			if !slices.Contains(a, x) {
				out = append(out, what+": + "+x)
			}
		}
		for _, x := range a {
			if !slices.Contains(b, x) {
				out = append(out, what+": - "+x)
			}
		}
	}
	if prev.Version != cur.Version && prev.UID != "" {
		out = append(out, fmt.Sprintf("version: %d -> %d", prev.Version, cur.Version))
	}
	setDiff("owners", prev.Owners, cur.Owners)
	if len(cur.Owners) == 0 {
		setDiff("recipients", prev.Recipients, cur.Recipients)
	}
	for _, s := range cur.Sections {
		old := prev.SectionByUID(s.UID)
		label := "section " + s.Name
		if old == nil {
			out = append(out, label+": added ("+s.Kind+")")
			old = &Section{Props: map[mapi.Tag]any{}}
		} else if old.Name != s.Name {
			out = append(out, fmt.Sprintf("%s: renamed from %q", label, old.Name))
		}
		setDiff(label+": readers", old.Readers, s.Readers)
		for _, l := range diffProps(old, s) {
			out = append(out, label+": "+l)
		}
		switch {
		case old.Secure == nil && s.Secure != nil:
			out = append(out, label+": credentials added")
		case old.Secure != nil && s.Secure == nil:
			out = append(out, label+": credentials removed")
		case old.Secure != nil && !bytes.Equal(old.Secure.age, s.Secure.age):
			out = append(out, label+": credentials changed")
		}
	}
	for _, s := range prev.Sections {
		if cur.SectionByUID(s.UID) == nil {
			out = append(out, "section "+s.Name+": removed")
		}
	}
	return out
}

// diffProps lists the properties of b that differ from a's ("name: old ->
// new"), PR_SEARCH_KEY aside.
func diffProps(a, b *Section) []string {
	tags := map[mapi.Tag]bool{}
	for t := range a.Props {
		tags[t] = true
	}
	for t := range b.Props {
		tags[t] = true
	}
	var out []string
	for t := range tags {
		if t == mapi.PrSearchKey {
			continue
		}
		av, aok := a.Props[t]
		bv, bok := b.Props[t]
		ar, _ := mapi.EncodeJSON(t, av)
		br, _ := mapi.EncodeJSON(t, bv)
		if aok == bok && bytes.Equal(ar, br) {
			continue
		}
		show := func(raw []byte, ok bool) string {
			if !ok {
				return "unset"
			}
			return string(raw)
		}
		out = append(out, mapi.DisplayName(t, b.Scope())+": "+show(ar, aok)+" -> "+show(br, bok))
	}
	sort.Strings(out)
	return out
}
