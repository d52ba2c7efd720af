package secure

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// PassphraseLocked: only a refusal to open, with the store's own identity
// file passphrase-encrypted and no passphrase descriptor, is "locked".
func TestPassphraseLocked(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	armored := write("armored.txt", "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n")
	binary := write("binary.txt", "age-encryption.org/v1\n-> scrypt x 18\n")
	plain := write("plain.txt", "# created: now\nAGE-SECRET-KEY-1XYZ\n")
	noTTY := mapi.Errorf(mapi.Unconfigured, "no terminal")
	none := func(string) string { return "" }
	for _, c := range []struct {
		name   string
		err    error
		file   string
		files  []string
		getenv func(string) string
		want   bool
	}{
		{"armored, no terminal", noTTY, armored, nil, none, true},
		{"binary, no access", mapi.Errorf(mapi.NoAccess, "no"), binary, nil, none, true},
		{"plain identity", noTTY, plain, nil, none, false},
		{"missing identity", noTTY, filepath.Join(dir, "nope"), nil, none, false},
		{"another error", mapi.Errorf(mapi.CorruptData, "bad"), armored, nil, none, false},
		{"no error", nil, armored, nil, none, false},
		{"-i given", noTTY, armored, []string{"k.txt"}, none, false},
		{"passphrase fd", noTTY, armored, nil, func(k string) string {
			if k == "MAPICTL_PASSPHRASE_FD" {
				return "3"
			}
			return ""
		}, false},
		{"MAPICTL_IDENTITY", noTTY, armored, nil, func(k string) string {
			if k == "MAPICTL_IDENTITY" {
				return "AGE-SECRET-KEY-1X"
			}
			return ""
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := PassphraseLocked(c.err, c.file, c.files, c.getenv); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
