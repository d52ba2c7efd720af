package manifest

import (
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newKey(t *testing.T) (*age.X25519Identity, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id, id.Recipient().String()
}

func mustLoad(t *testing.T, src string, o LoadOptions) *Manifest {
	t.Helper()
	m, err := Load(strings.NewReader(src), o)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return mapi.AsError(err).Code.Name
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// applyDoc loads, resolves and applies src to p.
func applyDoc(t *testing.T, p *profile.Profile, src string, vars map[string]string, ids []age.Identity) *Plan {
	t.Helper()
	m := mustLoad(t, src, LoadOptions{})
	sec, err := (&Resolver{Dir: t.TempDir(), Getenv: env(vars)}).ResolveAll(m)
	if err != nil {
		t.Fatalf("ResolveAll: %v", err)
	}
	plan, err := Apply(p, m, sec, ApplyOptions{IDs: ids})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return plan
}
