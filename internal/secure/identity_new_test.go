package secure

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestWriteIdentityFile: a new private file that loads as k; an existing
// path is a collision and left alone.
func TestWriteIdentityFile(t *testing.T) {
	k := newKey(t, false)
	path := filepath.Join(t.TempDir(), "id.key")
	if err := WriteIdentityFile(path, k, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("identity file: %v, %v", fi, err)
	}
	rs, err := RecipientsOf(load(t, Source{Files: []string{path}}))
	if err != nil || len(rs) != 1 || rs[0] != k.Recipient {
		t.Fatalf("loaded %v, %v; want %s", rs, err, k.Recipient)
	}
	before, _ := os.ReadFile(path)
	err = WriteIdentityFile(path, newKey(t, false), nil, time.Unix(0, 0))
	wantCode(t, err, mapi.Collision, path+" already exists")
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("an existing identity file was overwritten")
	}
}

// TestMayCreateStoreIdentity: allowed in an empty store and where
// identity.txt is there; refused where a profile is sealed to a lost one.
func TestMayCreateStoreIdentity(t *testing.T) {
	root := t.TempDir()
	if err := MayCreateStoreIdentity(root); err != nil {
		t.Fatal(err)
	}
	put(t, filepath.Join(root, "profiles", "work.age"), "x")
	wantCode(t, MayCreateStoreIdentity(root), mapi.NoAccess, "")
	put(t, filepath.Join(root, storeIdentityFile), "x")
	if err := MayCreateStoreIdentity(root); err != nil {
		t.Fatal(err)
	}
}

// TestStoreRecipientText: identity.pub trimmed, "" when missing or blank.
func TestStoreRecipientText(t *testing.T) {
	root := t.TempDir()
	if got := StoreRecipientText(root); got != "" {
		t.Fatalf("missing: %q", got)
	}
	put(t, filepath.Join(root, storeRecipientFile), " \n")
	if got := StoreRecipientText(root); got != "" {
		t.Fatalf("blank: %q", got)
	}
	put(t, filepath.Join(root, storeRecipientFile), "age1xyz\n")
	if got := StoreRecipientText(root); got != "age1xyz" {
		t.Fatalf("got %q", got)
	}
}

// put writes content at path, making its directory.
func put(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRecipientsInUse: identity.pub answers for the store identity without
// loading it; otherwise, or when it is blank, the identities do.
func TestRecipientsInUse(t *testing.T) {
	root, k := t.TempDir(), newKey(t, false)
	loads := 0
	ids := func() ([]age.Identity, error) {
		loads++
		return load(t, Source{KeyText: k.Identity}), nil
	}
	put(t, filepath.Join(root, storeRecipientFile), "age1fromthepub\n")
	if rs, err := RecipientsInUse(true, root, ids); err != nil || len(rs) != 1 || rs[0] != "age1fromthepub" || loads != 0 {
		t.Fatalf("store: %v, %v, %d loads", rs, err, loads)
	}
	if rs, err := RecipientsInUse(false, root, ids); err != nil || len(rs) != 1 || rs[0] != k.Recipient || loads != 1 {
		t.Fatalf("given: %v, %v, %d loads", rs, err, loads)
	}
	put(t, filepath.Join(root, storeRecipientFile), "\n")
	if rs, err := RecipientsInUse(true, root, ids); err != nil || len(rs) != 1 || rs[0] != k.Recipient || loads != 2 {
		t.Fatalf("blank identity.pub: %v, %v, %d loads", rs, err, loads)
	}
}
