package profile

import (
	"sort"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// SecureField resolves a credential field name (credential get, set and
// delete --field; "" is the password) against s's scope to a secure tag.
// It refuses, as MAPI_E_INVALID_PARAMETER, a tag outside the secure range
// (IDs 0x67F0-0x67FF) and one that is neither a string, binary nor a time
// (oauth2.expiry is PT_SYSTIME).
func (s *Section) SecureField(field string) (mapi.Tag, error) {
	if field == "" {
		return mapi.PrPassword, nil
	}
	t, err := mapi.ParseTag(field, s.Scope())
	if err != nil {
		return 0, err
	}
	if !t.Secure() {
		return 0, mapi.Errorf(mapi.InvalidParameter, "%s is not a secure property (IDs 0x67F0-0x67FF)", field)
	}
	if t.Type() != mapi.PtUnicode && t.Type() != mapi.PtString8 && t.Type() != mapi.PtBinary && t.Type() != mapi.PtSysTime {
		return 0, mapi.Errorf(mapi.InvalidParameter, "%s: only string, binary and time secure properties are supported", field)
	}
	return t, nil
}

// SecretField is [Section.SecureField] for a secret to store: the
// usernames are not ones (MAPI_E_INVALID_PARAMETER: they are given with
// --username, and inbound.username with --inbound --username), and
// neither is a time: oauth2.expiry (or any PT_SYSTIME secure tag) belongs
// to a seed access token and is set beside it by profile apply.
func (s *Section) SecretField(field string) (mapi.Tag, error) {
	t, err := s.SecureField(field)
	switch {
	case err == nil && t == mapi.PrUsername:
		return 0, mapi.Errorf(mapi.InvalidParameter, "the username is not a secret: give it with --username")
	case err == nil && t == mapi.PrInboundUsername:
		return 0, mapi.Errorf(mapi.InvalidParameter, "inbound.username is not a secret: give it with --inbound --username")
	case err == nil && t.Type() == mapi.PtSysTime:
		return 0, mapi.Errorf(mapi.InvalidParameter, "%s is a time, not a secret to store", mapi.DisplayName(t, s.Scope())).
			WithHint("give it beside oauth2-token in a manifest's credentials (profile apply); docs/oauth2.md says how")
	}
	return t, err
}

// StoreSecret stores secret under tag in s's secure range, and username
// as the username when it is not "", keeping the range's other fields
// ([Profile.UpdateSecure]). A binary tag keeps the bytes, a string tag
// holds them as a string.
func (p *Profile) StoreSecret(s *Section, ids []age.Identity, tag mapi.Tag, secret []byte, username string) error {
	return p.StoreSecretAs(s, ids, tag, secret, mapi.PrUsername, username)
}

// StoreSecretAs is [Profile.StoreSecret] with the username stored under
// userTag (mapi.PrUsername, or mapi.PrInboundUsername for the inbound
// side's own logon). Storing an access token (oauth2-token) removes a
// held oauth2.expiry: it told when the token it replaces expired.
func (p *Profile) StoreSecretAs(s *Section, ids []age.Identity, tag mapi.Tag, secret []byte, userTag mapi.Tag, username string) error {
	return p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
		if tag.Type() == mapi.PtBinary {
			props[tag] = secret
		} else {
			props[tag] = string(secret)
		}
		if username != "" {
			props[userTag] = username
		}
		if tag == mapi.PrOAuth2Token {
			delete(props, mapi.PrOAuth2Expiry)
		}
		return nil
	})
}

// DeleteCredentials removes s's secure range, or with field only that
// field of it ([Section.SecureField]; the range goes when it was the last).
// A section without a range, or a range without the field, is
// MAPI_E_NOT_FOUND. The whole range goes without being opened; a field
// goes through [Profile.UpdateSecure], and so only from a range ids open
// and whose binds match.
func (p *Profile) DeleteCredentials(s *Section, ids []age.Identity, field string) error {
	if s.Secure == nil {
		return mapi.Errorf(mapi.NotFound, "section %q has no stored credentials", s.Name)
	}
	if field == "" {
		s.Secure = nil
		return nil
	}
	tag, err := s.SecureField(field)
	if err != nil {
		return err
	}
	return p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
		if _, ok := props[tag]; !ok {
			return mapi.Errorf(mapi.NotFound, "section %q has no %s stored", s.Name, field)
		}
		delete(props, tag)
		return nil
	})
}

// Field is the value of tag in c, the credentials of s; a field c does not
// hold is MAPI_E_NOT_FOUND, with the hint to store it.
func (c *Credentials) Field(s *Section, tag mapi.Tag) (any, error) {
	v, ok := c.Props[tag]
	if !ok {
		return nil, mapi.Errorf(mapi.NotFound, "section %q has no %s stored", s.Name, mapi.DisplayName(tag, s.Scope())).
			WithHint("store it with 'mapictl credential set " + textsafe.ShellArg(s.Name) + "'")
	}
	return v, nil
}

// SecureFieldNames names the fields s's secure range holds, as its
// unencrypted tag list records them (no need to open it), by their
// display names, sorted; tags that do not parse are left out.
func (s *Section) SecureFieldNames() []string {
	if s.Secure == nil {
		return nil
	}
	var names []string
	for _, t := range s.Secure.Tags {
		if tag, err := mapi.ParseHexTag(t); err == nil {
			names = append(names, mapi.DisplayName(tag, s.Scope()))
		}
	}
	sort.Strings(names)
	return names
}
