package session

import (
	"sort"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// Remember saves prompted credentials (by section name, as in
// [LogonResult.Prompted]) into the sections' secure ranges of p, keeping
// any other secure property already stored: the "remember password" of a
// logon dialog. A range is sealed to p.SealedTo(s). Call it inside
// profile.Store.Update. Errors: those of Profile.UpdateSecure
// (MAPI_E_NO_ACCESS when ids cannot open an existing range), and
// MAPI_E_NOT_FOUND for a section no longer in p.
func Remember(p *profile.Profile, ids []age.Identity, prompted map[string]Credentials) error {
	names := make([]string, 0, len(prompted))
	for n := range prompted {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s, err := p.Section(n)
		if err != nil {
			return err
		}
		c := prompted[n]
		err = p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
			for t, v := range map[mapi.Tag]string{mapi.PrUsername: c.Username, mapi.PrPassword: c.Password, mapi.PrOAuth2Token: c.OAuth2Token} {
				if v != "" {
					props[t] = v
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
