package secure

import (
	"bytes"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestEncryptDecryptRoundTrip(t *testing.T) {
	a, b := newKey(t, false), newKey(t, false)
	idsA := load(t, Source{KeyText: a.Identity})
	idsB := load(t, Source{KeyText: b.Identity})
	for _, plain := range []string{"", "x", strings.Repeat("mapi ", 20000)} {
		ct := mustEncrypt(t, plain, a.Recipient, b.Recipient)
		for _, ids := range [][]age.Identity{idsA, idsB} {
			got, err := Decrypt(ct, ids)
			if err != nil || string(got) != plain {
				t.Fatalf("Decrypt len %d: got %d bytes, %v", len(plain), len(got), err)
			}
		}
	}
	_, err := Decrypt(mustEncrypt(t, "secret", a.Recipient), idsB)
	wantCode(t, err, mapi.NoAccess, "")
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error leaks plaintext: %v", err)
	}
	_, err = Decrypt(mustEncrypt(t, "x", a.Recipient), nil)
	wantCode(t, err, mapi.NoAccess, "")
}

func TestEncryptArmoredRoundTrip(t *testing.T) {
	k := newKey(t, true)
	ids := load(t, Source{KeyText: k.Identity})
	s, err := EncryptArmored([]byte("armored"), []string{k.Recipient})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "-----BEGIN AGE ENCRYPTED FILE-----\n") || !strings.HasSuffix(s, "-----END AGE ENCRYPTED FILE-----\n") {
		t.Fatalf("not armored:\n%s", s)
	}
	for _, in := range []string{s, "\n  " + s + "\n\n"} {
		got, err := DecryptArmored(in, ids)
		if err != nil || string(got) != "armored" {
			t.Fatalf("DecryptArmored = %q, %v", got, err)
		}
	}
	bin := mustEncrypt(t, "bin", k.Recipient)
	_, err = DecryptArmored(string(bin), ids)
	wantCode(t, err, mapi.CorruptData, "")
	broken := strings.Replace(s, "\n", "\n!", 2)
	_, err = DecryptArmored(broken, ids)
	wantCode(t, err, mapi.CorruptData, "")
}

func TestDecryptCorrupt(t *testing.T) {
	k := newKey(t, false)
	ids := load(t, Source{KeyText: k.Identity})
	ct := mustEncrypt(t, strings.Repeat("payload ", 10), k.Recipient)
	hdrEnd := bytes.Index(ct, []byte("\n--- ")) + 1

	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"not age", []byte("hello, world\n")},
		{"json", []byte(`{"format":"mapictl.profile/1"}`)},
		{"header only", ct[:hdrEnd]},
		{"no payload", ct[:bytes.IndexByte(ct[hdrEnd:], '\n')+hdrEnd+1]},
		{"truncated payload", ct[:len(ct)-1]},
		{"trailing data", append(bytes.Clone(ct), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decrypt(tt.in, ids)
			wantCode(t, err, mapi.CorruptData, "")
		})
	}
	// Every single-bit flip fails. In the header a flip can make the
	// stanza unrecognisable (NoAccess); anywhere else it is CorruptData.
	for i := range ct {
		c := bytes.Clone(ct)
		c[i] ^= 0x04
		_, err := Decrypt(c, ids)
		if err == nil {
			t.Fatalf("flip at byte %d decrypted", i)
		}
		code := mapi.AsError(err).Code
		if i >= hdrEnd && code != mapi.CorruptData {
			t.Fatalf("flip at byte %d (payload/MAC): %v is %s", i, err, code.Name)
		}
		if code != mapi.CorruptData && code != mapi.NoAccess {
			t.Fatalf("flip at byte %d: %v is %s", i, err, code.Name)
		}
	}
}
