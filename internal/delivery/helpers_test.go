package delivery

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
)

// key is an age key pair as mapictl stores it.
type key struct {
	id  age.Identity
	rcp string
}

func newKey(t *testing.T) key {
	t.Helper()
	k, err := secure.GenerateKey(false)
	if err != nil {
		t.Fatal(err)
	}
	id, err := secure.IdentityFromKey(k.Identity)
	if err != nil {
		t.Fatal(err)
	}
	return key{id, k.Recipient}
}

// store is a store directory whose identity.pub names store.rcp (unless
// noPub), with Keys whose Identities returns store.id and counts calls.
type store struct {
	dir   string
	key   key
	loads int
	keys  Keys
}

func newStore(t *testing.T, withPub bool) *store {
	t.Helper()
	s := &store{dir: t.TempDir(), key: newKey(t)}
	if withPub {
		if err := os.WriteFile(filepath.Join(s.dir, profile.RecipientFile), []byte(s.key.rcp+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.keys = Keys{StoreDir: s.dir, Now: time.Now, Identities: func() ([]age.Identity, error) {
		s.loads++
		return []age.Identity{s.key.id}, nil
	}}
	return s
}

// failingIdentities makes the store's identities unavailable, as a
// passphrase that cannot be asked for.
func (s *store) failingIdentities() {
	s.keys.Identities = func() ([]age.Identity, error) {
		s.loads++
		return nil, mapi.Errorf(mapi.Unconfigured, "the passphrase cannot be asked for")
	}
}

func (s *store) spool(t *testing.T) *spool.Spool {
	t.Helper()
	sp, err := spool.Open(filepath.Join(s.dir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	sp.Warn = func(id string, err error) { t.Logf("spool warning: %s: %v", id, err) }
	return sp
}

// sessionSnap is a session whose key is k, sealing also to the store's
// identity.pub recipient when storeRcp is set.
func sessionSnap(k key, storeRcp string) *session.Snapshot {
	rs := []string{k.rcp}
	if storeRcp != "" {
		rs = append(rs, storeRcp)
	}
	return &session.Snapshot{ID: mapi.NewID(time.Now()), Profile: "p", SpoolRecipients: rs, Key: k.id}
}

func payload() *spool.Payload {
	return &spool.Payload{From: "me@example.com", To: []string{"dana@example.com", "li@example.com"},
		Message: []byte("From: me@example.com\r\nTo: dana@example.com, li@example.com\r\nSubject: hi\r\n\r\nbody\r\n")}
}

func opens(o spool.Opener, ct []byte) bool {
	_, err := o.Open(ct)
	return err == nil
}
