package manifest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestLoadFileResolvesCAFile: a relative smtp.ca-file in a manifest names
// a file next to the manifest, and is stored absolute (binds covers the
// path, so it must not depend on the directory apply runs in).
func TestLoadFileResolvesCAFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "team.yaml")
	doc := "profile: team\nsections:\n  - name: a\n    props:\n      smtp.host: h.example\n      smtp.ca-file: certs/ca.pem\n  - name: b\n    props:\n      smtp.ca-file: /etc/ssl/ca.pem\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	m, err := LoadFile(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": filepath.Join(dir, "certs", "ca.pem"), "b": "/etc/ssl/ca.pem"}
	for _, s := range m.Sections {
		for _, p := range s.Props {
			if p.Tag == mapi.PrSMTPCAFile && p.Value != want[s.Name] {
				t.Errorf("section %s: ca-file %v, want %s", s.Name, p.Value, want[s.Name])
			}
		}
	}
}
