package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// NoProfileError: a first profile for an empty store; -p and the list,
// cut at ten, otherwise.
func TestNoProfileError(t *testing.T) {
	s := &Store{Root: t.TempDir()}
	e := s.NoProfileError()
	if e.Code != mapi.InvalidParameter || len(e.Hints) != 1 || !strings.Contains(e.Hints[0], "no profile yet") {
		t.Errorf("empty store: %v %q", e, e.Hints)
	}
	if err := os.MkdirAll(s.ProfilesDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		os.WriteFile(filepath.Join(s.ProfilesDir(), fmt.Sprintf("p%02d.age", i)), nil, 0o600)
		e = s.NoProfileError()
		if len(e.Hints) != 2 || !strings.HasPrefix(e.Hints[1], "profiles in this store: p00") {
			t.Fatalf("%d profiles: %q", i+1, e.Hints)
		}
	}
	if want := "p09, … (12 in all: 'mapictl profile list')"; !strings.HasSuffix(e.Hints[1], want) {
		t.Errorf("12 profiles: %q; want it to end %q", e.Hints[1], want)
	}
}
