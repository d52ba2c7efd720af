package profile

import (
	"strconv"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
)

// NoProfileError is the error of a command that needs a profile when none
// was named and no default is set: MAPI_E_INVALID_PARAMETER, with hints
// for the next step. A store with no profile yet points at a first one;
// otherwise the hints say how to name one and list up to ten of the
// store's profiles.
func (s *Store) NoProfileError() *mapi.Error {
	e := mapi.Errorf(mapi.InvalidParameter, "no profile given and no default profile set")
	names, err := s.List()
	if err == nil && len(names) == 0 {
		return e.WithHint("the store has no profile yet: create one with 'mapictl profile create NAME --default', " +
			"or apply one with 'mapictl profile apply -f FILE'")
	}
	e.WithHint("pass -p NAME, or set one with 'mapictl profile default NAME'")
	if len(names) > 0 {
		const most = 10
		list := strings.Join(names[:min(len(names), most)], ", ")
		if len(names) > most {
			list += ", … (" + strconv.Itoa(len(names)) + " in all: 'mapictl profile list')"
		}
		e.WithHint("profiles in this store: " + list)
	}
	return e
}
