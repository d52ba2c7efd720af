package profile

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestSetConfigValue: a missing file and directory are created private, a
// value is written beside the other keys, an empty one removes its key,
// and a file that is not YAML is refused and left alone.
func TestSetConfigValue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store", ConfigFile)
	read := func() map[string]any {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc := map[string]any{}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	if err := SetConfigValue(path, "default-profile", "work"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("config file: %v, %v", fi, err)
	}
	if err := os.WriteFile(path, []byte("output: json\ndefault-profile: work\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := SetConfigValue(path, "default-profile", "home"); err != nil {
		t.Fatal(err)
	}
	if doc := read(); doc["output"] != "json" || doc["default-profile"] != "home" || len(doc) != 2 {
		t.Fatalf("after set: %v", doc)
	}
	if err := SetConfigValue(path, "default-profile", ""); err != nil {
		t.Fatal(err)
	}
	if doc := read(); doc["output"] != "json" || len(doc) != 1 {
		t.Fatalf("after unset: %v", doc)
	}
	bad := []byte("output: [json\n")
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	err := SetConfigValue(path, "default-profile", "home")
	wantErr(t, err, mapi.CorruptData, "is not valid YAML")
	if b, _ := os.ReadFile(path); string(b) != string(bad) {
		t.Fatalf("a corrupt config was rewritten: %q", b)
	}
}
