package session

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// AllIDs returns the IDs of every session of the store, for a logoff of
// them all: the live ones (List), then those whose sealed .age is there but
// that List does not show (a session whose .json is damaged still has its
// credentials in its .age, so it must still go). Expired sessions are left
// out and their files left for [Sweep] (whose caller re-seals their token
// files). It removes nothing. Errors are List's.
func AllIDs(storeRoot string, now time.Time) ([]string, error) {
	ms, expired, err := scan(storeRoot, now, false)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	sealed, _ := filepath.Glob(filepath.Join(Dir(storeRoot), "*.age"))
	for _, p := range sealed {
		id := strings.TrimSuffix(filepath.Base(p), ".age")
		if mapi.ValidID(id) && !slices.Contains(ids, id) &&
			!slices.ContainsFunc(expired, func(m Meta) bool { return m.ID == id }) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
