package secure

import (
	"os"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestIdentityKinds decrypts with every kind of unencrypted identity and
// checks RecipientsOf names the recipient the blob was encrypted to.
func TestIdentityKinds(t *testing.T) {
	x, pq := newKey(t, false), newKey(t, true)
	sshPath, sshPub := sshKey(t, "")
	tests := []struct {
		name      string
		src       Source
		recipient string
	}{
		{"x25519", Source{Files: []string{identityFile(t, x, "")}}, x.Recipient},
		{"post-quantum", Source{Files: []string{identityFile(t, pq, "")}}, pq.Recipient},
		{"ssh ed25519", Source{Files: []string{sshPath}}, sshPub},
		{"key text", Source{KeyText: pq.Identity}, pq.Recipient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := load(t, tt.src)
			got, err := Decrypt(mustEncrypt(t, "hello "+tt.name, tt.recipient), ids)
			if err != nil || string(got) != "hello "+tt.name {
				t.Fatalf("Decrypt = %q, %v", got, err)
			}
			rs, err := RecipientsOf(ids)
			if err != nil || len(rs) != 1 || rs[0] != tt.recipient {
				t.Fatalf("RecipientsOf = %q, %v; want %q", rs, err, tt.recipient)
			}
		})
	}
}

func TestEncryptedIdentityFile(t *testing.T) {
	k := newKey(t, false)
	path := identityFile(t, k, "correct horse")
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "-----BEGIN AGE ENCRYPTED FILE-----") ||
		strings.Contains(string(b), k.Identity) {
		t.Fatalf("encrypted identity file is not armored age:\n%s", b)
	}
	ct1, ct2 := mustEncrypt(t, "one", k.Recipient), mustEncrypt(t, "two", k.Recipient)

	t.Run("wrong passphrase", func(t *testing.T) {
		pass, n := counter("wrong")
		ids := load(t, Source{Files: []string{path}, Passphrase: pass})
		_, err := Decrypt(ct1, ids)
		wantCode(t, err, mapi.NoAccess, "incorrect passphrase")
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("error echoes the passphrase: %v", err)
		}
		if *n != 1 {
			t.Errorf("passphrase asked %d times", *n)
		}
	})
	t.Run("no passphrase source", func(t *testing.T) {
		_, err := Decrypt(ct1, load(t, Source{Files: []string{path}}))
		wantCode(t, err, mapi.NoAccess, "")
		if h := mapi.AsError(err).Hints; len(h) == 0 || !strings.Contains(h[0], "MAPICTL_PASSPHRASE_FD") {
			t.Errorf("hints = %q", h)
		}
	})
	t.Run("cancelled prompt", func(t *testing.T) {
		cancel := func(string) ([]byte, error) { return nil, mapi.Errorf(mapi.UserCancel, "cancelled at the prompt") }
		_, err := Decrypt(ct1, load(t, Source{Files: []string{path}, Passphrase: cancel}))
		wantCode(t, err, mapi.UserCancel, "")
	})
	t.Run("correct passphrase asked once", func(t *testing.T) {
		pass, n := counter("correct horse")
		ids := load(t, Source{Files: []string{path}, Passphrase: pass})
		if *n != 0 {
			t.Fatalf("passphrase asked while loading")
		}
		for _, ct := range [][]byte{ct1, ct2} {
			if _, err := Decrypt(ct, ids); err != nil {
				t.Fatal(err)
			}
		}
		// A second load in the same process reuses the unlocked file.
		ids = load(t, Source{Files: []string{path}, Passphrase: pass})
		if got, err := Decrypt(ct2, ids); err != nil || string(got) != "two" {
			t.Fatalf("Decrypt = %q, %v", got, err)
		}
		if rs, err := RecipientsOf(ids); err != nil || len(rs) != 1 || rs[0] != k.Recipient {
			t.Fatalf("RecipientsOf = %q, %v", rs, err)
		}
		if *n != 1 {
			t.Fatalf("passphrase asked %d times, want 1", *n)
		}
	})
	t.Run("not asked when a plain identity matches", func(t *testing.T) {
		other := newKey(t, false)
		enc := identityFile(t, newKey(t, false), "x")
		pass, n := counter("x")
		ids := load(t, Source{Files: []string{enc, identityFile(t, other, "")}, Passphrase: pass})
		if _, err := Decrypt(mustEncrypt(t, "p", other.Recipient), ids); err != nil {
			t.Fatal(err)
		}
		if *n != 0 {
			t.Fatalf("passphrase asked %d times, want 0", *n)
		}
	})
}

func TestEncryptedSSHKey(t *testing.T) {
	path, pub := sshKey(t, "ssh pass")
	ct := mustEncrypt(t, "ssh", pub)

	pass, n := counter("nope")
	_, err := Decrypt(ct, load(t, Source{Files: []string{path}, Passphrase: pass}))
	wantCode(t, err, mapi.NoAccess, "incorrect passphrase")

	_, err = Decrypt(ct, load(t, Source{Files: []string{path}}))
	wantCode(t, err, mapi.NoAccess, "no passphrase")

	pass, n = counter("ssh pass")
	ids := load(t, Source{Files: []string{path}, Passphrase: pass})
	if rs, err := RecipientsOf(ids); err != nil || len(rs) != 1 || rs[0] != pub {
		t.Fatalf("RecipientsOf = %q, %v (no passphrase needed)", rs, err)
	}
	for range 2 {
		if got, err := Decrypt(ct, ids); err != nil || string(got) != "ssh" {
			t.Fatalf("Decrypt = %q, %v", got, err)
		}
	}
	if *n != 1 {
		t.Fatalf("passphrase asked %d times, want 1", *n)
	}
	// A blob for another key does not ask at all.
	_, err = Decrypt(mustEncrypt(t, "x", newKey(t, false).Recipient), ids)
	wantCode(t, err, mapi.NoAccess, "")
	if *n != 1 {
		t.Fatalf("passphrase asked for a non-matching blob")
	}
}
