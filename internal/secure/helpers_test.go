package secure

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestMain(m *testing.M) {
	TestOnlyScryptWorkFactor = 10
	os.Exit(m.Run())
}

// newKey generates a key pair or fails the test.
func newKey(t testing.TB, pq bool) *KeyPair {
	t.Helper()
	k, err := GenerateKey(pq)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeFile writes content to name in a new temp dir, mode 0600.
func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// identityFile writes k as an identity file (encrypted with pass if set).
func identityFile(t testing.TB, k *KeyPair, pass string) string {
	t.Helper()
	b, err := MarshalIdentityFile(k, []byte(pass), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "identity.txt", b)
}

// sshKey writes a new ed25519 OpenSSH private key (encrypted with pass if
// set) and returns its path and public key text.
func sshKey(t testing.TB, pass string) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var blk *pem.Block
	if pass == "" {
		blk, err = ssh.MarshalPrivateKey(priv, "test@example")
	} else {
		blk, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test@example", []byte(pass))
	}
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "id_ed25519", pem.EncodeToMemory(blk)), authorizedKey(sp)
}

// load calls LoadIdentities or fails the test.
func load(t testing.TB, src Source) []age.Identity {
	t.Helper()
	ids, err := LoadIdentities(src)
	if err != nil {
		t.Fatalf("LoadIdentities: %v", err)
	}
	return ids
}

// encryptTo encrypts plain to recipients or fails the test.
func mustEncrypt(t testing.TB, plain string, recipients ...string) []byte {
	t.Helper()
	ct, err := Encrypt([]byte(plain), recipients)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	return ct
}

// wantCode fails unless err carries code c (and, if non-empty, its message
// contains sub).
func wantCode(t testing.TB, err error, c mapi.Code, sub string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", c.Name)
	}
	if !mapi.IsCode(err, c) {
		t.Fatalf("got %v (%s), want %s", err, mapi.AsError(err).Code.Name, c.Name)
	}
	if sub != "" && !strings.Contains(err.Error(), sub) {
		t.Fatalf("error %q does not contain %q", err, sub)
	}
}

// counter returns a PassphraseFunc that gives pass and counts its calls.
func counter(pass string) (PassphraseFunc, *int) {
	n := new(int)
	return func(string) ([]byte, error) {
		*n++
		return []byte(pass), nil
	}, n
}
