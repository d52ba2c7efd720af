package profile

import (
	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// UpdateSecure is the one read-merge-write of a section's secure range:
// it opens s's current range with ids ([Section.ReadSecure]; a section with
// none starts from an empty map), hands its properties to fn to change in
// place, and writes the result back with [Profile.WriteSecure]: sealed to
// p.SealedTo(s) and nobody else, bound to s's current settings, unknown
// fields of the old range kept. A map fn leaves empty removes the range.
//
// Nothing is written when fn returns an error (returned as is) or when the
// range cannot be read: MAPI_E_NO_ACCESS when ids cannot open it or when
// its binds no longer match s's settings (credentials stored for other
// settings are never merged into new ones), MAPI_E_CORRUPT_DATA when it is
// damaged; then the errors of WriteSecure.
//
// Call it inside [Store.Update], whose lock makes the read, merge and write
// one step against other writers. Its callers: credential set and delete
// --field, the "remember password" of a logon (session.Remember), and, to
// come, the OAuth 2.0 token refresh: a refreshed access token (and a
// rotated refresh token) is written back with UpdateSecure inside
// Store.Update, so that a refresh never drops the password or another
// secret stored beside the token, never reseals to the recipients recorded
// in the old range, and refuses (NO_ACCESS) to write back into a range
// whose settings changed since the token was stored.
func (p *Profile) UpdateSecure(s *Section, ids []age.Identity, fn func(props map[mapi.Tag]any) error) error {
	props := map[mapi.Tag]any{}
	if s.Secure != nil {
		c, err := s.ReadSecure(ids)
		if err != nil {
			return err
		}
		props = c.Props
	}
	if err := fn(props); err != nil {
		return err
	}
	return p.WriteSecure(s, ids, props)
}
