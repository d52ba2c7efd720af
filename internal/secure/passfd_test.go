package secure

import (
	"os"
	"testing"

	"github.com/mapictl/mapictl/internal/term"
)

// TestPassphraseFromFDUnlocks wires term.PassphraseFromFD as a Source's
// PassphraseFunc, as the CLI does for MAPICTL_PASSPHRASE_FD. (Only this
// test imports internal/term: the package itself knows no terminal.)
func TestPassphraseFromFDUnlocks(t *testing.T) {
	k := newKey(t, false)
	path := identityFile(t, k, "fd pass")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := w.WriteString("fd pass\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fd := int(r.Fd())
	ids := load(t, Source{Files: []string{path}, Passphrase: func(string) ([]byte, error) { return term.PassphraseFromFD(fd) }})
	got, err := Decrypt(mustEncrypt(t, "via fd", k.Recipient), ids)
	if err != nil || string(got) != "via fd" {
		t.Fatalf("Decrypt = %q, %v", got, err)
	}
}
