package profile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

func noIdentities() ([]age.Identity, error) { return nil, errors.New("identities loaded") }

func TestOwnRecipientsCreatesStoreIdentityOnce(t *testing.T) {
	st := &Store{Root: t.TempDir()}
	o := OwnKeys{UsesStore: true, Identities: noIdentities, Now: time.Unix(0, 0)}
	rs, created, err := st.OwnRecipients(o)
	if err != nil || !created || len(rs) != 1 || !strings.HasPrefix(rs[0], "age1") {
		t.Fatalf("first = %v, %v, %v", rs, created, err)
	}
	pub, err := os.ReadFile(filepath.Join(st.Root, RecipientFile))
	if err != nil || string(pub) != rs[0]+"\n" {
		t.Fatalf("identity.pub = %q, %v", pub, err)
	}
	// identity.pub answers from now on, without loading identity.txt.
	again, created, err := st.OwnRecipients(o)
	if err != nil || created || len(again) != 1 || again[0] != rs[0] {
		t.Fatalf("second = %v, %v, %v", again, created, err)
	}
	// A second identity is never written over the first.
	k, err := secure.GenerateKey(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.WriteIdentity(k, nil, time.Now()); mapi.AsError(err) == nil || mapi.AsError(err).Code != mapi.Collision {
		t.Fatalf("WriteIdentity over identity.txt: %v, want Collision", err)
	}
}

func TestOwnRecipientsDryRunWritesNothing(t *testing.T) {
	st := &Store{Root: t.TempDir()}
	rs, created, err := st.OwnRecipients(OwnKeys{UsesStore: true, Identities: noIdentities, DryRun: true})
	if err != nil || created || len(rs) != 1 {
		t.Fatalf("= %v, %v, %v", rs, created, err)
	}
	if ents, _ := os.ReadDir(st.Root); len(ents) != 0 {
		t.Fatalf("dry run wrote %v", ents)
	}
}

func TestOwnRecipientsRefusesNewIdentityOverSealedProfiles(t *testing.T) {
	st := &Store{Root: t.TempDir()}
	if err := os.MkdirAll(st.ProfilesDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path("team"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{false, true} {
		_, _, err := st.OwnRecipients(OwnKeys{UsesStore: true, Identities: noIdentities, DryRun: dry})
		if e := mapi.AsError(err); e == nil || e.Code != mapi.NoAccess {
			t.Fatalf("dry run %v: err = %v, want NoAccess", dry, err)
		}
		if _, err := os.Lstat(st.IdentityPath()); err == nil {
			t.Fatalf("dry run %v: identity written", dry)
		}
	}
}

func TestOwnRecipientsFromGivenIdentities(t *testing.T) {
	st := &Store{Root: t.TempDir()}
	id := testKey(t)
	rs, created, err := st.OwnRecipients(OwnKeys{Identities: func() ([]age.Identity, error) { return []age.Identity{id}, nil }})
	if err != nil || created || len(rs) != 1 || rs[0] != id.Recipient().String() {
		t.Fatalf("= %v, %v, %v", rs, created, err)
	}
	if _, err := os.Lstat(st.IdentityPath()); err == nil {
		t.Fatal("store identity written for a run with -i")
	}
}
