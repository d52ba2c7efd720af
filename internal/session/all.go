package session

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// AllIDs returns the IDs of every session of the store, for a logoff of
// them all: the live ones (List, which removes expired ones first), then
// those whose sealed .age is there but that List does not show (a session
// whose .json is damaged still has its credentials in its .age, so it must
// still go). Errors are List's.
func AllIDs(storeRoot string, now time.Time) ([]string, error) {
	ms, err := List(storeRoot, now)
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
		if mapi.ValidID(id) && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
