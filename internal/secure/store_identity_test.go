package secure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Issue 25: a new store identity is refused while profiles or spooled mail
// sealed to the old one exist; the missing identity names the recipient.
func TestCheckNewStoreIdentity(t *testing.T) {
	root := t.TempDir()
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k, err := GenerateKey(false)
	if err != nil {
		t.Fatal(err)
	}
	write("identity.pub", k.Recipient+"\n")
	// Locks and temp files are not sealed to anything.
	write("profiles/work.lock", "")
	write("spool/outbox/.00mm0000000000000000000000.x.tmp", "x")
	write("spool/outbox/00mm0000000000000000000000.lock", "")
	if err := CheckNewStoreIdentity(root); err != nil {
		t.Fatalf("nothing sealed, but %v", err)
	}
	_, err = LoadIdentities(Source{StoreFile: filepath.Join(root, "identity.txt")})
	if e := mapi.AsError(err); e.Code != mapi.NoAccess || len(e.Hints) != 1 || e.Hints[0] != hintCreateProfile {
		t.Fatalf("empty store: %v %q", err, e.Hints)
	}

	for _, rel := range []string{"spool/failed/00mm0000000000000000000000.age", "profiles/work.age"} {
		write(rel, "sealed")
		err := CheckNewStoreIdentity(root)
		e := mapi.AsError(err)
		if e == nil || e.Code != mapi.NoAccess || !strings.Contains(e.Msg, k.Recipient) ||
			len(e.Hints) != 1 || !strings.HasPrefix(e.Hints[0], "restore identity.txt from your backup or pass -i") {
			t.Fatalf("with %s: %v %q", rel, err, e.Hints)
		}
		_, lerr := LoadIdentities(Source{StoreFile: filepath.Join(root, "identity.txt")})
		if le := mapi.AsError(lerr); le.Msg != e.Msg || le.Hints[0] != e.Hints[0] {
			t.Fatalf("LoadIdentities %v %q, want %v", lerr, le.Hints, err)
		}
	}
	if e := mapi.AsError(CheckNewStoreIdentity(root)); !strings.Contains(e.Msg, "profiles and failed mail") {
		t.Errorf("message %q does not say what is sealed", e.Msg)
	}
	// Without identity.pub the refusal stands, without a recipient.
	os.Remove(filepath.Join(root, "identity.pub"))
	if e := mapi.AsError(CheckNewStoreIdentity(root)); e == nil || strings.Contains(e.Msg, "need the identity of") {
		t.Errorf("without identity.pub: %v", e)
	}
}
