package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"sort"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// boundTags are the settings a secure range is bound to (SPEC §5): changing
// any of them without a holder of the range confirming it makes the stored
// credentials unusable.
var boundTags = []mapi.Tag{
	mapi.PrTransport, mapi.PrSMTPHost, mapi.PrSMTPPort, mapi.PrSMTPSecurity, mapi.PrSMTPAuth,
	mapi.PrSMTPCAFile, mapi.PrSMTPFingerprint, mapi.PrSMTPInsecure, mapi.PrSMTPInsecureAuth,
	mapi.PrEmailAddress, mapi.PrSendmailPath, mapi.PrMaildirPath,
}

// Binds is the SHA-256 digest, in hex, of s's uid and its security-relevant
// settings, in a fixed order.
func (s *Section) Binds() string {
	doc := []any{"mapictl.binds/1", s.UID}
	for _, t := range boundTags {
		v, ok := s.Props[t]
		if !ok {
			doc = append(doc, t.String(), nil)
			continue
		}
		raw, _ := mapi.EncodeJSON(t, v)
		doc = append(doc, t.String(), raw)
	}
	b, _ := json.Marshal(doc)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// IsBound reports whether tag is one of the settings a secure range binds.
func IsBound(t mapi.Tag) bool { return slices.Contains(boundTags, t) }

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
			WithHint("store some with 'mapictl credential set " + s.Name + "'")
	}
	r, err := secure.OpenRange(s.Secure.Age(), ids)
	if err != nil {
		if nm := new(age.NoIdentityMatchError); errors.As(err, &nm) {
			return nil, mapi.Errorf(mapi.NoAccess, "no identity can open the credentials of section %q", s.Name).
				WithHint("ask a holder to run 'mapictl section share " + s.Name + " --recipient YOUR-RECIPIENT'")
		}
		if c := mapi.AsError(err).Code; c != mapi.CallFailed && c != mapi.CorruptData {
			return nil, err // a wrong passphrase, a cancelled prompt...
		}
		return nil, mapi.Wrap(mapi.CorruptData, err, "credentials of section "+quote(s.Name)+" are corrupt")
	}
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
// match the section's settings (MAPI_E_NO_ACCESS): someone holding only the
// public keys may have rewritten where they would be sent.
func (s *Section) ReadSecure(ids []age.Identity) (*Credentials, error) {
	c, err := s.OpenSecure(ids)
	if err != nil {
		return nil, err
	}
	if !c.BindsOK {
		return nil, mapi.Errorf(mapi.NoAccess,
			"settings of section %q changed since its credentials were stored; refusing to use them", s.Name).
			WithHint("if the change is yours, confirm it with 'mapictl section set " + s.Name +
				" PROP=VALUE' as a holder of the credentials, which re-binds them")
	}
	return c, nil
}

// WriteSecure seals props as s's secure range. An existing range must open
// with ids; it is re-sealed to the recipients recorded inside it plus add,
// minus remove. A section without a range gets defaultRecipients plus add.
// An empty props removes the range.
func (s *Section) WriteSecure(ids []age.Identity, props map[mapi.Tag]any, defaultRecipients, add, remove []string) error {
	recips := slices.Clone(defaultRecipients)
	var extra *secure.Range
	if s.Secure != nil {
		c, err := s.OpenSecure(ids)
		if err != nil {
			return err
		}
		recips, extra = slices.Clone(c.Recipients), c.rng
	}
	for _, r := range add {
		if !slices.Contains(recips, r) {
			recips = append(recips, r)
		}
	}
	recips = slices.DeleteFunc(recips, func(r string) bool { return slices.Contains(remove, r) })
	if len(props) == 0 {
		s.Secure = nil
		return nil
	}
	if len(recips) == 0 {
		return mapi.Errorf(mapi.InvalidParameter, "section %q would have no recipient left for its credentials", s.Name)
	}
	r := &secure.Range{Props: map[string]json.RawMessage{}}
	if extra != nil {
		r = extra
		r.Props = map[string]json.RawMessage{}
	}
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
	r.Recipients, r.Binds = recips, s.Binds()
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

// Rebind re-seals s's existing range with the current settings' binds
// (a holder confirming a settings change). It returns MAPI_E_NO_ACCESS if
// ids cannot open the range; no range is a no-op.
func (s *Section) Rebind(ids []age.Identity) error {
	if s.Secure == nil {
		return nil
	}
	c, err := s.OpenSecure(ids)
	if err != nil {
		return err
	}
	if c.BindsOK {
		return nil
	}
	return s.WriteSecure(ids, c.Props, nil, nil, nil)
}
