package secure

import (
	"bytes"
	"errors"
	"io"
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

// readAhead reads pt as a reader of Next does, a prefix at a time, then
// returns All's verdict and checks that the prefixes agreed with it.
func readAhead(t *testing.T, pt *Plaintext) ([]byte, error) {
	t.Helper()
	var seen []byte
	for {
		b := pt.Next(len(seen))
		if len(b) <= len(seen) {
			break
		}
		if !bytes.HasPrefix(b, seen) {
			t.Fatal("Next changed bytes it had returned")
		}
		seen = b
	}
	all, err := pt.All()
	if err == nil && !bytes.Equal(all, seen) {
		t.Fatalf("Next ended after %d bytes, All has %d", len(seen), len(all))
	}
	return all, err
}

// TestDecryptAhead: a file of one or several age chunks decrypts whole
// through Next and All; a flip in any chunk is CorruptData from All (the
// header's last chunk from DecryptAhead itself); an error of the source is
// in All's chain.
func TestDecryptAhead(t *testing.T) {
	k := newKey(t, false)
	ids := load(t, Source{KeyText: k.Identity})
	for _, size := range []int{0, 1, chunkSize, chunkSize + 1, 4 * chunkSize, 4*chunkSize + 1, 5*chunkSize + 3, 8 * chunkSize} {
		plain := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		ct := mustEncrypt(t, string(plain), k.Recipient)
		pt, err := DecryptAhead(bytes.NewReader(ct), int64(len(ct)), ids)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if got, err := readAhead(t, pt); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: %d bytes, %v", size, len(got), err)
		}
		hdrEnd := bytes.Index(ct, []byte("\n--- ")) + 1
		payload := hdrEnd + bytes.IndexByte(ct[hdrEnd:], '\n') + 1 + 16 // after the MAC line and the nonce
		chunks := max(1, (size+chunkSize-1)/chunkSize)
		if len(ct)-payload != size+16*chunks {
			t.Fatalf("size %d: payload of %d bytes, want %d chunks", size, len(ct)-payload, chunks)
		}
		for n := range chunks {
			c := bytes.Clone(ct)
			c[payload+n*(chunkSize+16)] ^= 1
			pt, err := DecryptAhead(bytes.NewReader(c), int64(len(c)), ids)
			if err == nil {
				_, err = readAhead(t, pt)
			}
			wantCode(t, err, mapi.CorruptData, "")
		}
	}
	ct := mustEncrypt(t, strings.Repeat("x", 9*chunkSize), k.Recipient)
	pt, err := DecryptAhead(&failAt{r: bytes.NewReader(ct), at: int64(len(ct)) / 2}, int64(len(ct)), ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAhead(t, pt); !errors.Is(err, errDisk) {
		t.Fatalf("source error not in the chain: %v", err)
	}
	_, err = DecryptAhead(bytes.NewReader(ct), int64(len(ct)), nil)
	wantCode(t, err, mapi.NoAccess, "")
}

var errDisk = errors.New("disk on fire")

// failAt is a ReaderAt that fails every read touching offset at.
type failAt struct {
	r  io.ReaderAt
	at int64
}

func (f *failAt) ReadAt(p []byte, off int64) (int, error) {
	if off <= f.at && f.at < off+int64(len(p)) {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}
