package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// IsBound reports whether tag is one of the settings a secure range binds
// (SPEC §5): every setting that decides where a section's secrets or mail
// go or what runs with them. Bound by property ID, whatever the type: the
// outbound settings, the address, the paths of the maildir and sendmail
// transports, and every inbound.* (0x6610–0x661F, the MDA runs a program)
// and oauth2.* (0x6620–0x662F) setting.
func IsBound(t mapi.Tag) bool {
	switch id := t.ID(); {
	case id == mapi.PrEmailAddress.ID():
		return true
	case id >= 0x6610 && id <= 0x662F:
		return true
	case id == mapi.PrSMTPHelo.ID(), id == 0x660C, id == 0x660D, id == 0x660E, id == 0x660F:
		return false // EHLO name, timeout, multi-session, address-override: no secret or mail moves
	case id >= mapi.PrTransport.ID() && id <= 0x660F:
		return true
	}
	return false
}

// bound returns s's bound settings in their JSON form, keyed by tag.
func (s *Section) bound() map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for t, v := range s.Props {
		if !IsBound(t) {
			continue
		}
		raw, err := mapi.EncodeJSON(t, v)
		if err != nil {
			continue
		}
		out[t.String()] = raw
	}
	return out
}

// Binds is the SHA-256 digest, in hex, of s's uid and its bound settings
// ([IsBound]) in tag order, under "mapictl.binds/2".
func (s *Section) Binds() string {
	b := s.bound()
	tags := make([]string, 0, len(b))
	for t := range b {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	doc := []any{"mapictl.binds/2", s.UID}
	for _, t := range tags {
		doc = append(doc, t, b[t])
	}
	return digestOf(doc)
}

func digestOf(doc []any) string {
	b, _ := json.Marshal(doc)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Changed names the bound settings whose values differ from those recorded
// in c's range when it was sealed, as "tag: old -> new" (values in their
// JSON form; "unset" for an absent one). Nil when the range recorded none
// (binds/1) or none changed.
func (c *Credentials) Changed(s *Section) []string {
	if c.rng == nil || c.rng.Bound == nil {
		return nil
	}
	now := s.bound()
	keys := map[string]bool{}
	for k := range now {
		keys[k] = true
	}
	for k := range c.rng.Bound {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		old, was := c.rng.Bound[k]
		cur, is := now[k]
		if was && is && string(old) == string(cur) {
			continue
		}
		show := func(v json.RawMessage, ok bool) string {
			if !ok {
				return "unset"
			}
			return string(v)
		}
		name := k
		if t, err := mapi.ParseHexTag(k); err == nil {
			name = mapi.DisplayName(t, s.Scope())
		}
		out = append(out, name+": "+show(old, was)+" -> "+show(cur, is))
	}
	sort.Strings(out)
	return out
}

// Credentials is a decrypted secure range.
type Credentials struct {
	Props      map[mapi.Tag]any
	Recipients []string // as recorded inside the range
	BindsOK    bool     // the recorded binds match the section's settings
	rng        *secure.Range
}

// OpenSecure decrypts s's secure range without judging its binds. It
// returns MAPI_E_NOT_FOUND when the section has none, MAPI_E_NO_ACCESS when
// no identity opens it, MAPI_E_CORRUPT_DATA when it is damaged.
func (s *Section) OpenSecure(ids []age.Identity) (*Credentials, error) {
	if s.Secure == nil {
		return nil, mapi.Errorf(mapi.NotFound, "section %q has no stored credentials", s.Name).
			WithHint("store some with 'mapictl credential set " + textsafe.ShellArg(s.Name) + "'")
	}
	r, err := secure.OpenRange(s.Secure.Age(), ids)
	if err != nil {
		if nm := new(age.NoIdentityMatchError); errors.As(err, &nm) {
			return nil, mapi.Errorf(mapi.NoAccess, "no identity can open the credentials of section %q", s.Name).
				WithHint("ask an owner of the profile to run 'mapictl section share " + textsafe.ShellArg(s.Name) + " --recipient YOUR-RECIPIENT'")
		}
		if c := mapi.AsError(err).Code; c != mapi.CallFailed && c != mapi.CorruptData {
			return nil, err // a wrong passphrase, a cancelled prompt...
		}
		return nil, mapi.Wrap(mapi.CorruptData, err, "credentials of section "+quote(s.Name)+" are corrupt")
	}
	// A range bound under binds/1 (files from before owners) never
	// matches: such files are unsigned, and the owner's accept re-binds
	// every range.
	c := &Credentials{Props: map[mapi.Tag]any{}, Recipients: r.Recipients, rng: r, BindsOK: r.Binds == s.Binds()}
	for k, raw := range r.Props {
		t, err := mapi.ParseHexTag(k)
		if err != nil || !t.Secure() {
			return nil, mapi.Errorf(mapi.CorruptData, "credentials of section %q are corrupt", s.Name)
		}
		v, err := mapi.DecodeJSON(t, raw)
		if err != nil {
			return nil, mapi.Errorf(mapi.CorruptData, "credentials of section %q are corrupt", s.Name)
		}
		c.Props[t] = v
	}
	return c, nil
}

// ReadSecure is OpenSecure that refuses credentials whose binds no longer
// match the section's settings (MAPI_E_NO_ACCESS, naming what changed):
// the settings that decide where they would be sent are not those they
// were stored for.
func (s *Section) ReadSecure(ids []age.Identity) (*Credentials, error) {
	c, err := s.OpenSecure(ids)
	if err != nil {
		return nil, err
	}
	if !c.BindsOK {
		msg := fmt.Sprintf("settings of section %q changed since its credentials were stored; refusing to use them", s.Name)
		if ch := c.Changed(s); len(ch) > 0 {
			msg += " (" + strings.Join(ch, "; ") + ")"
		}
		return nil, mapi.Errorf(mapi.NoAccess, "%s", msg).
			WithHint("an owner who made the change confirms it with 'mapictl section set " + s.Name +
				" PROP=VALUE' or 'mapictl profile accept', which re-binds them")
	}
	return c, nil
}

// SealedTo returns who s's secure range is sealed to: p's owners and s's
// own readers, and nobody else (SPEC §5).
func (p *Profile) SealedTo(s *Section) []string {
	out := slices.Clone(p.Owners)
	for _, r := range s.Readers {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// WriteSecure seals props as s's secure range, to p.SealedTo(s) and bound
// to s's current settings. Unknown fields of an existing range that ids
// can open are kept. An empty props removes the range. Recipients recorded
// in or beside the old range are never reused.
func (p *Profile) WriteSecure(s *Section, ids []age.Identity, props map[mapi.Tag]any) error {
	if len(props) == 0 {
		s.Secure = nil
		return nil
	}
	recips := p.SealedTo(s)
	if len(recips) == 0 {
		return mapi.Errorf(mapi.InvalidParameter, "profile %q has no owner to seal the credentials of section %q to", p.Name, s.Name)
	}
	r := &secure.Range{}
	if s.Secure != nil {
		if c, err := s.OpenSecure(ids); err == nil {
			r = c.rng
		}
	}
	r.Props = map[string]json.RawMessage{}
	var tags []string
	for t, v := range props {
		if !t.Secure() {
			return mapi.Errorf(mapi.InvalidParameter, "property %s is not in the secure range", t)
		}
		raw, err := mapi.EncodeJSON(t, v)
		if err != nil {
			return mapi.Errorf(mapi.InvalidParameter, "property %s: value has the wrong type", t)
		}
		r.Props[t.String()] = raw
		tags = append(tags, t.String())
	}
	sort.Strings(tags)
	r.Recipients, r.Binds, r.Bound = recips, s.Binds(), s.bound()
	armored, err := secure.SealRange(r, recips)
	if err != nil {
		return err
	}
	old := s.Secure
	s.Secure = newSecureBlob(recips, tags, armored)
	if old != nil {
		s.Secure.extra = old.extra
	}
	return nil
}

// Reseal seals s's existing range again, to p.SealedTo(s) with a fresh
// file key, keeping its credentials. rebind also binds it to the current
// settings (an owner confirming them); without it, a range whose binds do
// not match is MAPI_E_NO_ACCESS. No range is a no-op.
func (p *Profile) Reseal(s *Section, ids []age.Identity, rebind bool) error {
	if s.Secure == nil {
		return nil
	}
	read := s.ReadSecure
	if rebind {
		read = s.OpenSecure
	}
	c, err := read(ids)
	if err != nil {
		return err
	}
	return p.WriteSecure(s, ids, c.Props)
}

// NeedsReseal reports whether s's range, opened with ids, is sealed to
// other recipients than p.SealedTo(s) or bound to other settings. A range
// ids cannot open reports false.
func (p *Profile) NeedsReseal(s *Section, ids []age.Identity) bool {
	if s.Secure == nil {
		return false
	}
	c, err := s.OpenSecure(ids)
	if err != nil {
		return false
	}
	want := p.SealedTo(s)
	return !sameSet(c.Recipients, want) || c.rng.Binds != s.Binds()
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
