package secure

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUsesStoreIdentity: the store's identity is used only with no -i file
// and neither variable set (empty counts as unset), and LoadIdentities
// agrees: it reads the store file in exactly those cases.
func TestUsesStoreIdentity(t *testing.T) {
	for _, c := range []struct {
		name      string
		files     []string
		key, file string
		want      bool
	}{
		{"nothing given", nil, "", "", true},
		{"empty -i list", []string{}, "", "", true},
		{"-i", []string{"a.txt"}, "", "", false},
		{"two -i", []string{"a.txt", "b.txt"}, "", "", false},
		{"MAPICTL_IDENTITY", nil, "AGE-SECRET-KEY-1X", "", false},
		{"MAPICTL_IDENTITY_FILE", nil, "", "k.txt", false},
		{"both variables", nil, "AGE-SECRET-KEY-1X", "k.txt", false},
		{"-i and a variable", []string{"a.txt"}, "", "k.txt", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"MAPICTL_IDENTITY": c.key, "MAPICTL_IDENTITY_FILE": c.file, "MAPICTL_PASSPHRASE_FD": "3"}
			getenv := func(k string) string { return env[k] }
			if got := UsesStoreIdentity(c.files, getenv); got != c.want {
				t.Fatalf("UsesStoreIdentity = %v, want %v", got, c.want)
			}
			// LoadIdentities takes the store tier in the same cases: every
			// path is missing, and only the store's is named in the error.
			dir := t.TempDir()
			in := func(name string) string {
				if name == "" {
					return ""
				}
				return filepath.Join(dir, name)
			}
			var files []string
			for _, f := range c.files {
				files = append(files, in(f))
			}
			store := filepath.Join(dir, "store-identity.txt")
			_, err := LoadIdentities(Source{Files: files, KeyText: c.key, KeyFile: in(c.file), StoreFile: store})
			if err == nil {
				t.Fatal("LoadIdentities succeeded with nothing to load")
			}
			if read := strings.Contains(err.Error(), "store-identity.txt") || strings.Contains(err.Error(), "create a profile"); read != c.want {
				t.Errorf("LoadIdentities read the store file: %v, want %v (%v)", read, c.want, err)
			}
		})
	}
}
