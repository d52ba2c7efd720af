package session

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// AllIDs: the live sessions, plus a session whose metadata is damaged but
// whose sealed file is there; not an expired one, nor a stray file.
func TestAllIDs(t *testing.T) {
	root := t.TempDir()
	if ids, err := AllIDs(root, t0); err != nil || len(ids) != 0 || ids == nil {
		t.Fatalf("no sessions directory: %q, %v; want an empty list", ids, err)
	}
	var toks []string
	for _, uid := range []string{"a", "b", "c"} {
		tok, err := Create(root, snap(uid, true), false)
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, strings.SplitN(tok, ".", 2)[0])
	}
	live, damaged := toks[0], toks[1]
	if err := os.WriteFile(filepath.Join(Dir(root), damaged+".json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(Dir(root), "not-an-id!.age"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ids, err := AllIDs(root, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{live, damaged, toks[2]} {
		if !slices.Contains(ids, want) {
			t.Errorf("AllIDs = %q; want %s in it", ids, want)
		}
	}
	if len(ids) != 3 {
		t.Errorf("AllIDs = %q; want 3", ids)
	}
	ids, err = AllIDs(root, t0.Add(2*time.Hour)) // the live ones expired: left out (their files stay for Sweep)
	if err != nil || len(ids) != 1 || ids[0] != damaged {
		t.Errorf("after expiry: %q, %v; want only the damaged %s", ids, err, damaged)
	}
}
