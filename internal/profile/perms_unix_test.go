//go:build unix

package profile

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// LoosePermissions: nothing for a private store or none at all; the
// directory's and identity.txt's modes, and a linked identity, each warned.
func TestLoosePermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	if w := LoosePermissions(root); w != nil {
		t.Errorf("missing store: %q", w)
	}
	if err := os.Mkdir(root, 0o700); err != nil {
		t.Fatal(err)
	}
	id := filepath.Join(root, IdentityFile)
	if err := os.WriteFile(id, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if w := LoosePermissions(root); w != nil {
		t.Errorf("private store: %q", w)
	}
	os.Chmod(root, 0o755)
	os.Chmod(id, 0o640)
	want := []string{
		"store directory " + root + " is accessible by others (mode 0755); run 'chmod 700 " + root + "'",
		"identity file " + id + " is accessible by others (mode 0640); run 'chmod 600 " + id + "'",
	}
	if w := LoosePermissions(root); !reflect.DeepEqual(w, want) {
		t.Errorf("loose store:\n%q\nwant\n%q", w, want)
	}
	os.Chmod(root, 0o700)
	os.Remove(id)
	if err := os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), id); err != nil {
		t.Fatal(err)
	}
	want = []string{"identity file " + id + " is a symbolic link; keep the store's key as a regular file"}
	if w := LoosePermissions(root); !reflect.DeepEqual(w, want) {
		t.Errorf("linked identity: %q; want %q", w, want)
	}
}
