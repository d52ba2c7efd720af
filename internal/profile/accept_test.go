package profile

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// TestOwnerAcceptNeverAdoptsKey: an owner who accepts a document signed
// with a key it did not pin (a reader sealed a key of its own to the
// owners) signs it with a fresh key pair: never the document's key, never
// the old one. After that the profile loads, at a version above both the
// forgery's and the old pin's.
func TestOwnerAcceptNeverAdoptsKey(t *testing.T) {
	for _, claimPinned := range []bool{false, true} {
		name := "claiming its own key"
		if claimPinned {
			name = "claiming the pinned key"
		}
		t.Run(name, func(t *testing.T) {
			f := newTrustFixture(t)
			old := f.pin(t)
			attacker := secure.NewSigningKey()
			claim := ""
			if claimPinned {
				claim = old.Key
			}
			f.forge(t, signWithOwnKey(t, attacker, claim, setHost("evil.example")))
			r, err := f.st.Review("w", f.ids)
			if err != nil {
				t.Fatal(err)
			}
			forgedVersion := r.Profile.Version
			if !r.Owner || !r.FreshKey || r.Legacy {
				t.Fatalf("review: owner %v, fresh key %v, legacy %v", r.Owner, r.FreshKey, r.Legacy)
			}
			if r.KeyReplaced == claimPinned {
				t.Errorf("KeyReplaced = %v for a document claiming %s", r.KeyReplaced, name)
			}
			if r.PinnedFingerprint != secure.Fingerprint(old.Key) {
				t.Errorf("pinned fingerprint %q", r.PinnedFingerprint)
			}
			if !slices.Contains(r.Changes, `section smtp: smtp.host: "mail.example.com" -> "evil.example"`) {
				t.Errorf("changes do not show the host: %q", r.Changes)
			}
			if len(r.Dropped) != 0 {
				t.Errorf("dropped %v", r.Dropped)
			}
			if err := f.st.Accept(r, f.ids); err != nil {
				t.Fatal(err)
			}
			pin := f.pin(t)
			if pin.Key == attacker.Public() {
				t.Fatal("the store adopted the key of the document")
			}
			if pin.Key == old.Key {
				t.Error("the replaced key was kept")
			}
			if pin.Version <= forgedVersion || pin.Version <= old.Version {
				t.Errorf("version %d after accepting version %d over pinned %d", pin.Version, forgedVersion, old.Version)
			}
			p, err := f.st.Load("w", f.ids)
			if err != nil {
				t.Fatalf("after accept: %v", err)
			}
			key, err := secure.OpenSigningKey(p.Signing.Sealed(), f.ids)
			if err != nil || key.Public() != pin.Key || p.Signing.Key != pin.Key || p.Version != pin.Version {
				t.Fatalf("the sealed key is not the pinned one: %v", err)
			}
			// the owner confirmed the host: the range is re-bound to it; the
			// reader still reads its section, the owner's own range survived
			s, err := f.st.LoadSection("w", "smtp", f.rids)
			if err != nil {
				t.Fatal(err)
			}
			if c, err := s.ReadSecure(f.rids); err != nil || c.Props[mapi.PrPassword] != "hunter2" {
				t.Fatalf("reader after accept: %v", err)
			}
			priv, _ := p.Section("private")
			if _, err := priv.ReadSecure(f.rids); !mapi.IsCode(err, mapi.NoAccess) {
				t.Errorf("the reader opens the owner's range: %v", err)
			}
			if c, err := priv.ReadSecure(f.ids); err != nil || c.Props[mapi.PrPassword] != "owner-only" {
				t.Errorf("owner's range after accept: %v", err)
			}
			// and the owner writes again with the new key
			if _, err := f.st.Update("w", f.ids, setHostErr("mail.example.com")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestOwnerAcceptsUnsigned: an owner can accept a document whose signature
// was removed; it is signed again at a version above the pin, and the key
// the store signs with is the pinned one or a fresh one, never another.
func TestOwnerAcceptsUnsigned(t *testing.T) {
	f := newTrustFixture(t)
	old := f.pin(t)
	f.forge(t, func(doc []byte) []byte { b, _, _ := splitSigned(doc); return b })
	r, err := f.st.Review("w", f.ids)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Owner || r.Fingerprint != secure.Fingerprint(old.Key) {
		t.Fatalf("review: owner %v, fingerprint %q", r.Owner, r.Fingerprint)
	}
	if err := f.st.Accept(r, f.ids); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Load("w", f.ids); err != nil {
		t.Fatal(err)
	}
	if pin := f.pin(t); pin.Version <= old.Version || (r.FreshKey == (pin.Key == old.Key)) {
		t.Errorf("pin %+v after accept (fresh key %v), was %+v", pin, r.FreshKey, old)
	}
}

// TestStrippedSignatureIsNotLegacy: once a store has verified a profile, a
// file of it without a signing block is one a reader stripped (with the
// owners and readers), not a file from before owners: the review says so,
// nobody becomes its owner by opening every range, and accept refuses it
// before anything is asked, for the owner and a reader alike.
func TestStrippedSignatureIsNotLegacy(t *testing.T) {
	f := newTrustFixture(t)
	pins := f.pinFiles(t)
	f.forge(t, func(doc []byte) []byte {
		body, _, _ := splitSigned(doc)
		p, err := Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		p.Signing, p.Owners, p.Version = nil, nil, p.Version+1
		for _, s := range p.Sections {
			s.Readers = nil
		}
		setHost("evil.example")(p)
		b, err := Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
	forged := f.file(t)
	r, err := f.st.Review("w", f.ids)
	if err != nil {
		t.Fatal(err)
	}
	if r.Legacy || r.Owner || r.FreshKey || len(r.Grants) > 0 {
		t.Fatalf("a stripped file reviewed as legacy %v, owner %v, fresh key %v, grants %v", r.Legacy, r.Owner, r.FreshKey, r.Grants)
	}
	if !strings.Contains(r.Profile.Trust.Reason, "signature was removed") {
		t.Errorf("reason %q", r.Profile.Trust.Reason)
	}
	for _, key := range []string{"", r.PinnedFingerprint} {
		err := r.CheckAccept(key, f.ids)
		if !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), "signature was removed") {
			t.Errorf("CheckAccept(%q) of a stripped file: %v", key, err)
		}
	}
	if err := f.st.Accept(r, f.ids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("Accept of a stripped file: %v", err)
	}
	if f.pinFiles(t) != pins || !bytes.Equal(f.file(t), forged) {
		t.Fatal("the refused accept changed the pin or the file")
	}
}

// TestReaderRefusedBeforeAsking: what only an owner can settle (an older
// version) is refused by CheckAccept, which runs before the question, not
// only by Accept after it; a settled profile is not refused.
func TestReaderRefusedBeforeAsking(t *testing.T) {
	f := newTrustFixture(t)
	rs := &Store{Root: t.TempDir()}
	v1 := f.file(t)
	if _, _, err := rs.Add(v1, f.rids); err != nil {
		t.Fatal(err)
	}
	r, err := rs.Review("w", f.rids)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckAccept("", f.rids); err != nil {
		t.Fatalf("a new signed profile: %v", err)
	}
	if err := rs.Accept(r, f.rids); err != nil {
		t.Fatal(err)
	}
	if r, err = rs.Review("w", f.rids); err != nil || !r.Settled() || r.CheckAccept("", f.rids) != nil {
		t.Fatalf("a verified profile: settled %v, %v", r != nil && r.Settled(), err)
	}
	if _, err := f.st.Update("w", f.ids, setHostErr("mail2.example.com")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.Add(f.file(t), f.rids); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rs.Path("w"), v1, 0o600); err != nil { // a rollback, copied over
		t.Fatal(err)
	}
	if r, err = rs.Review("w", f.rids); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckAccept(r.Fingerprint, f.rids); !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), "can accept version 1") {
		t.Fatalf("CheckAccept of a rollback by a reader: %v", err)
	}
}

// TestAcceptChangedDuringReview: the file accepted must be the one reviewed.
func TestAcceptChangedDuringReview(t *testing.T) {
	f := newTrustFixture(t)
	f.forge(t, keepSignature(t, setHost("evil.example")))
	r, err := f.st.Review("w", f.ids)
	if err != nil {
		t.Fatal(err)
	}
	f.forge(t, keepSignature(t, setHost("worse.example")))
	pins := f.pinFiles(t)
	if err := f.st.Accept(r, f.ids); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("accept of a file changed since the review: %v, want MAPI_E_BUSY", err)
	}
	if f.pinFiles(t) != pins {
		t.Error("the pin changed")
	}
}

// TestReaderAccept: a reader's store takes a received file with Add: it is
// unconfirmed until accepted; the reader may accept a document signed by
// the key it claims (and pins it), never an unsigned one.
func TestReaderAccept(t *testing.T) {
	f := newTrustFixture(t)
	rs := &Store{Root: t.TempDir()}
	p, _, err := rs.Add(f.file(t), f.rids)
	if err != nil {
		t.Fatal(err)
	}
	if p.Trust.Verified || !strings.Contains(p.Trust.Reason, "has not accepted it yet") {
		t.Fatalf("a new profile: trust %+v", p.Trust)
	}
	if _, err := rs.LoadSection("w", "smtp", f.rids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("before accept: %v, want MAPI_E_NO_ACCESS", err)
	}
	if pin, _ := rs.Pin(f.uid); pin != nil {
		t.Fatalf("Add pinned %+v", pin)
	}

	// first, the same file without its signature: refused
	good, _ := os.ReadFile(rs.Path("w"))
	doc, _ := secure.Decrypt(good, f.rids)
	body, _, _ := splitSigned(doc)
	unsigned, _ := secure.Encrypt(body, p.Recipients)
	if err := os.WriteFile(rs.Path("w"), unsigned, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := rs.Review("w", f.rids)
	if err != nil {
		t.Fatal(err)
	}
	if r.Owner {
		t.Fatal("a reader reviews as an owner")
	}
	if err := rs.Accept(r, f.rids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("a reader accepted an unsigned document: %v", err)
	}
	if pin, _ := rs.Pin(f.uid); pin != nil {
		t.Fatalf("pinned %+v", pin)
	}

	// the signed file: pinned with its key and version
	if err := os.WriteFile(rs.Path("w"), good, 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err = rs.Review("w", f.rids); err != nil {
		t.Fatal(err)
	}
	if r.Owner || r.FreshKey || r.Fingerprint != secure.Fingerprint(f.pin(t).Key) || r.PinnedFingerprint != "" {
		t.Fatalf("review: %+v", r)
	}
	if err := r.CheckKey(r.Fingerprint); err != nil {
		t.Error(err)
	}
	if err := r.CheckKey(secure.Fingerprint(secure.NewSigningKey().Public())); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("CheckKey of another fingerprint: %v", err)
	}
	if err := rs.Accept(r, f.rids); err != nil {
		t.Fatal(err)
	}
	pin, _ := rs.Pin(f.uid)
	if pin == nil || *pin != *f.pin(t) {
		t.Fatalf("reader's pin %+v, owner's %+v", pin, f.pin(t))
	}
	if !bytes.Equal(rs.LastVerified(f.uid), good) {
		t.Error("the last verified copy is not the accepted file")
	}
	if s, err := rs.LoadSection("w", "smtp", f.rids); err != nil || s.String(mapi.PrSMTPHost) != "mail.example.com" {
		t.Fatalf("after accept: %v", err)
	}
	// the reader still cannot write
	if _, err := rs.Update("w", f.rids, setHostErr("evil.example")); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("reader's update: %v", err)
	}
}

// TestAdd: a file of a profile this store has replaces it only when it
// verifies under the pin at a higher version, or is the pinned version
// itself over a copy that does not verify (restored); the same file or
// version again is unchanged; anything else is MAPI_E_COLLISION and leaves
// the file and the pin as they were.
func TestAdd(t *testing.T) {
	f := newTrustFixture(t)
	rs := &Store{Root: t.TempDir()}
	v1 := f.file(t)
	if _, _, err := rs.Add(v1, f.rids); err != nil {
		t.Fatal(err)
	}
	r, err := rs.Review("w", f.rids)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.Accept(r, f.rids); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Update("w", f.ids, setHostErr("mail2.example.com")); err != nil {
		t.Fatal(err)
	}
	v2 := f.file(t)

	// a newer verified version replaces it and advances the pin
	p, _, err := rs.Add(v2, f.rids)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(rs.Path("w"))
	if !p.Trust.Verified || !bytes.Equal(got, v2) {
		t.Fatalf("newer version not taken: %+v", p.Trust)
	}
	if pin, _ := rs.Pin(f.uid); pin == nil || pin.Version != 2 || !bytes.Equal(rs.LastVerified(f.uid), v2) {
		t.Fatalf("pin %+v", pin)
	}
	if _, err := rs.Load("w", f.rids); err != nil {
		t.Fatal(err)
	}

	// forgeries of the newer version, an older version, the same one again,
	// another profile of the same name: refused, nothing replaced
	forged := func(edit func([]byte) []byte) []byte {
		doc, _ := secure.Decrypt(v2, f.rids)
		q, _ := Unmarshal(doc)
		ct, err := secure.Encrypt(edit(doc), q.Recipients)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	otherOwner := testKey(t)
	another := &Store{Root: t.TempDir()}
	ap := New("w", []string{otherOwner.Recipient().String(), f.reader.Recipient().String()})
	if err := another.Create(ap); err != nil {
		t.Fatal(err)
	}
	anotherFile, _ := os.ReadFile(another.Path("w"))
	pinBefore, _ := os.ReadFile(rs.pinPath(f.uid))
	for name, ct := range map[string][]byte{
		"older version":               v1,
		"unsigned newer version":      forged(func(d []byte) []byte { b, _, _ := splitSigned(d); return b }),
		"newer version, old sig kept": forged(keepSignature(t, func(p *Profile) { p.Version++; setHost("evil.example")(p) })),
		"newer version, another key":  forged(signWithOwnKey(t, secure.NewSigningKey(), "", setHost("evil.example"))),
		"another profile of the name": anotherFile,
	} {
		if _, _, err := rs.Add(ct, f.rids); !mapi.IsCode(err, mapi.Collision) {
			t.Errorf("%s: %v, want MAPI_E_COLLISION", name, err)
		}
		if got, _ := os.ReadFile(rs.Path("w")); !bytes.Equal(got, v2) {
			t.Fatalf("%s: the file was replaced", name)
		}
		if pin, _ := os.ReadFile(rs.pinPath(f.uid)); !bytes.Equal(pin, pinBefore) {
			t.Fatalf("%s: the pin changed", name)
		}
	}

	// the same file again, or the same version encrypted anew: unchanged,
	// nothing written
	again := forged(func(d []byte) []byte { return d })
	for name, ct := range map[string][]byte{"the same file": v2, "the same version re-encrypted": again} {
		if _, res, err := rs.Add(ct, f.rids); err != nil || res != AddUnchanged {
			t.Errorf("%s: %v, %v, want AddUnchanged", name, res, err)
		}
		if got, _ := os.ReadFile(rs.Path("w")); !bytes.Equal(got, v2) {
			t.Fatalf("%s: the file was rewritten", name)
		}
	}

	// the pinned version over a forgery of it: restored
	forgery := forged(keepSignature(t, setHost("evil.example")))
	if err := os.WriteFile(rs.Path("w"), forgery, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.Add(forgery, f.rids); !mapi.IsCode(err, mapi.Collision) {
		t.Errorf("the forgery over itself: %v, want MAPI_E_COLLISION (it does not verify)", err)
	}
	// (re-encrypted: the store writes the bytes it verified, not these)
	restore := func(what string, over []byte) {
		t.Helper()
		if err := os.WriteFile(rs.Path("w"), over, 0o600); err != nil {
			t.Fatal(err)
		}
		if p, res, err := rs.Add(again, f.rids); err != nil || res != AddRestored || !p.Trust.Verified {
			t.Fatalf("the pinned version over %s: %v, %v", what, res, err)
		}
		if got, _ := os.ReadFile(rs.Path("w")); !bytes.Equal(got, v2) {
			t.Fatalf("%s: not restored to the bytes this store verified", what)
		}
		if pin, _ := os.ReadFile(rs.pinPath(f.uid)); !bytes.Equal(pin, pinBefore) {
			t.Fatalf("restoring over %s changed the pin", what)
		}
		if _, err := rs.Load("w", f.rids); err != nil {
			t.Fatal(err)
		}
	}
	restore("a forgery", forgery)
	restore("a rollback", v1)
	restore("a damaged file", v2[:100])

	// a newer copy signed with the key it claims, waiting for review (as
	// an owner's rotation is), is never replaced by the older pinned one
	pending := forged(signWithOwnKey(t, secure.NewSigningKey(), "", func(p *Profile) { p.Version += 3 }))
	if err := os.WriteFile(rs.Path("w"), pending, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.Add(v2, f.rids); !mapi.IsCode(err, mapi.Collision) || !strings.Contains(err.Error(), "waiting for review") {
		t.Fatalf("the pinned version over a newer signed copy: %v, want MAPI_E_COLLISION", err)
	}
	if got, _ := os.ReadFile(rs.Path("w")); !bytes.Equal(got, pending) {
		t.Fatal("the newer signed copy was replaced")
	}
	if err := os.WriteFile(rs.Path("w"), v2, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, _, err := rs.Add([]byte("not an age file"), f.rids); err == nil {
		t.Error("Add took garbage")
	}
	if _, _, err := rs.Add(v2, []age.Identity{testKey(t)}); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("Add with a key that opens nothing: %v", err)
	}
}

// writeLegacy writes profile name as a file from before owners: no owners,
// no signing, recipients owner and guest, section "smtp" sealed to both
// (bound under binds/1, which no longer matches) and "private" sealed to
// the owner only.
func writeLegacy(t *testing.T, st *Store, owner, guest string) *Profile {
	t.Helper()
	p := New("old", nil)
	p.Recipients = []string{owner, guest}
	seal := func(s *Section, recips []string, pw string) {
		r := &secure.Range{Props: map[string]rawJSON{mapi.PrPassword.String(): rawJSON(`"` + pw + `"`)},
			Recipients: recips, Binds: digestOf([]any{"mapictl.binds/1", s.UID})}
		armored, err := secure.SealRange(r, recips)
		if err != nil {
			t.Fatal(err)
		}
		s.Secure = newSecureBlob(recips, []string{mapi.PrPassword.String()}, armored)
	}
	smtp, _ := p.AddSection("smtp", KindTransport, "smtp")
	smtp.Props[mapi.PrSMTPHost] = "mail.example.com"
	seal(smtp, []string{owner, guest}, "shared")
	priv, _ := p.AddSection("private", KindService, "")
	seal(priv, []string{owner}, "mine")
	if _, err := p.AddSection("plain", KindService, ""); err != nil {
		t.Fatal(err)
	}
	doc, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(doc, []byte(`"owners"`)) || bytes.Contains(doc, []byte(`"signing"`)) {
		t.Fatalf("not a legacy document:\n%s", doc)
	}
	ct, err := secure.Encrypt(doc, p.Recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path("old"), ct, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAcceptLegacy: a file from before owners is unconfirmed; the identity
// that opens every range becomes its only owner on accept, and every other
// recipient a reader of exactly the sections whose range lists it.
func TestAcceptLegacy(t *testing.T) {
	owner, guest := testKey(t), testKey(t)
	ids, gids := []age.Identity{owner}, []age.Identity{guest}
	o, g := owner.Recipient().String(), guest.Recipient().String()
	st := &Store{Root: t.TempDir()}
	lp := writeLegacy(t, st, o, g)
	if _, err := st.Load("old", ids); !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), "not signed") {
		t.Fatalf("legacy Load: %v", err)
	}

	// binds/1 ranges are refused until an owner's accept re-binds them
	if _, err := lp.Sections[1].ReadSecure(ids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("a binds/1 range: %v, want MAPI_E_NO_ACCESS", err)
	}

	// the guest opens only one range: no owner, cannot accept
	gr, err := st.Review("old", gids)
	if err != nil {
		t.Fatal(err)
	}
	if !gr.Legacy || gr.Owner || gr.FreshKey {
		t.Fatalf("guest review: %+v", gr)
	}
	if err := st.Accept(gr, gids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("guest accept: %v", err)
	}
	if pin, _ := st.Pin(lp.UID); pin != nil {
		t.Fatal("the guest's refused accept pinned the profile")
	}

	r, err := st.Review("old", ids)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Legacy || !r.Owner || !r.FreshKey {
		t.Fatalf("owner review: legacy %v owner %v fresh %v", r.Legacy, r.Owner, r.FreshKey)
	}
	wantGrants := []string{"owner: " + o, "reader of [smtp]: " + g}
	if !slices.Equal(r.Grants, wantGrants) {
		t.Errorf("grants %q, want %q", r.Grants, wantGrants)
	}
	if err := st.Accept(r, ids); err != nil {
		t.Fatal(err)
	}
	p, err := st.Load("old", ids)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Owners, []string{o}) || p.Signing == nil {
		t.Fatalf("owners %v", p.Owners)
	}
	for _, s := range p.Sections {
		want := []string(nil)
		if s.Name == "smtp" {
			want = []string{g}
		}
		if !slices.Equal(s.Readers, want) {
			t.Errorf("section %s: readers %v, want %v", s.Name, s.Readers, want)
		}
		if p.NeedsReseal(s, ids) {
			t.Errorf("section %s: not re-sealed and re-bound", s.Name)
		}
	}
	smtp, _ := p.Section("smtp")
	if c, err := smtp.ReadSecure(gids); err != nil || c.Props[mapi.PrPassword] != "shared" {
		t.Errorf("guest's section: %v", err)
	}
	priv, _ := p.Section("private")
	if _, err := priv.ReadSecure(gids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("guest opens the owner's section: %v", err)
	}
	if c, err := priv.ReadSecure(ids); err != nil || c.Props[mapi.PrPassword] != "mine" {
		t.Errorf("owner's section: %v", err)
	}
	if _, err := st.Update("old", gids, setHostErr("evil.example")); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("the guest writes: %v", err)
	}
	if _, err := st.Update("old", ids, func(p *Profile) error { _, err := p.AddSection("new", KindService, ""); return err }); err != nil {
		t.Errorf("the new owner cannot write: %v", err)
	}
}

// TestLegacyGrantsLoseProfile: a recipient that no range lists is named
// as losing the profile.
func TestLegacyGrantsLoseProfile(t *testing.T) {
	owner, guest, bystander := testKey(t), testKey(t), testKey(t)
	st := &Store{Root: t.TempDir()}
	lp := writeLegacy(t, st, owner.Recipient().String(), guest.Recipient().String())
	lp.Recipients = append(lp.Recipients, bystander.Recipient().String())
	doc, _ := Marshal(lp)
	ct, _ := secure.Encrypt(doc, lp.Recipients)
	if err := os.WriteFile(st.Path("old"), ct, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := st.Review("old", []age.Identity{owner})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.Grants, "reads no section, loses the profile: "+bystander.Recipient().String()) {
		t.Errorf("grants %q", r.Grants)
	}
}
