package secure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestSourcePrecedence(t *testing.T) {
	a, b, c, d := newKey(t, false), newKey(t, false), newKey(t, false), newKey(t, false)
	fileA := identityFile(t, a, "")
	fileD := identityFile(t, d, "") // $MAPICTL_IDENTITY_FILE
	store := identityFile(t, c, "")
	blobs := map[string][]byte{
		"a": mustEncrypt(t, "a", a.Recipient),
		"b": mustEncrypt(t, "b", b.Recipient),
		"c": mustEncrypt(t, "c", c.Recipient),
		"d": mustEncrypt(t, "d", d.Recipient),
	}
	tests := []struct {
		name  string
		src   Source
		opens string // the blobs it must open; all others must be NoAccess
	}{
		{"files beat env and store", Source{Files: []string{fileA}, KeyText: b.Identity, KeyFile: fileD, StoreFile: store}, "a"},
		{"env text beats store", Source{KeyText: b.Identity, StoreFile: store}, "b"},
		{"env file beats store", Source{KeyFile: fileD, StoreFile: store}, "d"},
		{"env text and file together", Source{KeyText: b.Identity, KeyFile: fileD, StoreFile: store}, "bd"},
		{"store last", Source{StoreFile: store}, "c"},
		{"key text with no file at all", Source{KeyText: b.Identity, StoreFile: "/nonexistent/identity.txt"}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := load(t, tt.src)
			for name, ct := range blobs {
				plain, err := Decrypt(ct, ids)
				if strings.Contains(tt.opens, name) {
					if err != nil || string(plain) != name {
						t.Errorf("blob %s: got %q, %v", name, plain, err)
					}
				} else {
					wantCode(t, err, mapi.NoAccess, "")
				}
			}
		})
	}
}

func TestLoadIdentitiesMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "identity.txt")
	_, err := LoadIdentities(Source{StoreFile: missing})
	wantCode(t, err, mapi.NoAccess, missing)
	if h := mapi.AsError(err).Hints; len(h) != 1 || h[0] != hintCreateProfile || !strings.Contains(h[0], "mapictl identity new") {
		t.Errorf("hints = %q", h)
	}
	_, err = LoadIdentities(Source{Files: []string{missing}, StoreFile: identityFile(t, newKey(t, false), "")})
	wantCode(t, err, mapi.NoAccess, missing)
	if len(mapi.AsError(err).Hints) != 0 {
		t.Errorf("-i file got the store hint: %q", mapi.AsError(err).Hints)
	}
	_, err = LoadIdentities(Source{})
	wantCode(t, err, mapi.NoAccess, "")
}

func TestLoadIdentitiesMalformed(t *testing.T) {
	k := newKey(t, false)
	tests := []struct {
		name, text, sub string
	}{
		{"recipient in identity file", "# c\n" + k.Recipient + "\n", "line 2 is a recipient"},
		{"garbage", "AGE-SECRET-KEY-1NOTAKEY\n", "malformed identity at line 1"},
		{"unknown", "hello\n", "line 1"},
		{"empty", "# only a comment\n\n", "no identities"},
		{"truncated key", k.Identity[:30] + "\n", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadIdentities(Source{KeyText: tt.text})
			wantCode(t, err, mapi.InvalidParameter, tt.sub)
			if strings.Contains(err.Error(), "AGE-SECRET-KEY-1") {
				t.Errorf("error echoes key material: %v", err)
			}
		})
	}
}

func TestLoadIdentitiesWarnsOnOpenMode(t *testing.T) {
	p := identityFile(t, newKey(t, false), "")
	var warned []string
	warnf := func(f string, a ...any) { warned = append(warned, f) }
	load(t, Source{Files: []string{p}, Warnf: warnf})
	if len(warned) != 0 {
		t.Fatalf("warned on a 0600 file: %q", warned)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	load(t, Source{Files: []string{p}, Warnf: warnf})
	if len(warned) != 1 {
		t.Fatalf("no warning for a 0644 file")
	}
}
