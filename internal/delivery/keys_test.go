package delivery

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

func TestRecipientsStorePub(t *testing.T) {
	s := newStore(t, true)
	got, err := s.keys.Recipients(nil)
	if err != nil || !reflect.DeepEqual(got, Sealer{s.key.rcp}) {
		t.Fatalf("Recipients(nil) = %q, %v; want identity.pub's", got, err)
	}
	sess := newKey(t)
	got, err = s.keys.Recipients(sessionSnap(sess, s.key.rcp))
	if err != nil || !reflect.DeepEqual(got, Sealer{sess.rcp, s.key.rcp}) {
		t.Fatalf("Recipients(session) = %q, %v; want the session's then identity.pub's, once each", got, err)
	}
	if s.loads != 0 {
		t.Errorf("the store identities were loaded %d times; identity.pub is enough", s.loads)
	}
}

func TestRecipientsWithoutPub(t *testing.T) {
	s := newStore(t, false)
	got, err := s.keys.Recipients(nil)
	if err != nil || !reflect.DeepEqual(got, Sealer{s.key.rcp}) || s.loads != 1 {
		t.Fatalf("Recipients(nil) = %q, %v (%d loads); want the identities' recipients", got, err, s.loads)
	}
	// Under a session its recipients are enough: no unlock.
	s.failingIdentities()
	s.loads = 0
	sess := newKey(t)
	got, err = s.keys.Recipients(sessionSnap(sess, ""))
	if err != nil || !reflect.DeepEqual(got, Sealer{sess.rcp}) || s.loads != 0 {
		t.Fatalf("Recipients(session) = %q, %v (%d loads); want the session's only", got, err, s.loads)
	}
	// Without a session, identities that cannot be loaded are the error.
	if _, err := s.keys.Recipients(nil); !mapi.IsCode(err, mapi.Unconfigured) {
		t.Errorf("Recipients(nil) with locked identities = %v, want their error", err)
	}
}

func TestRecipientsBadPub(t *testing.T) {
	s := newStore(t, false)
	if err := os.WriteFile(filepath.Join(s.dir, profile.RecipientFile), []byte("not a recipient\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := s.keys.Recipients(nil); err == nil || s.loads != 0 {
		t.Errorf("Recipients with a bad identity.pub = %q, %v (%d loads); want its error, no fallback", got, err, s.loads)
	}
	// A session's own recipients still serve.
	sess := newKey(t)
	if got, err := s.keys.Recipients(sessionSnap(sess, "")); err != nil || !reflect.DeepEqual(got, Sealer{sess.rcp}) {
		t.Errorf("Recipients(session) with a bad identity.pub = %q, %v", got, err)
	}
}

func TestSealerSeals(t *testing.T) {
	a, b := newKey(t), newKey(t)
	ct, err := Sealer{a.rcp, b.rcp}.Seal([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []key{a, b} {
		if pt, err := secure.Decrypt(ct, []age.Identity{k.id}); err != nil || string(pt) != "x" {
			t.Errorf("recipient %s cannot open: %v", k.rcp, err)
		}
	}
}

func TestOpener(t *testing.T) {
	s := newStore(t, true)
	sess := newKey(t)
	snap := sessionSnap(sess, s.key.rcp)
	toSession, _ := Sealer{sess.rcp}.Seal([]byte("s"))
	toStore, _ := Sealer{s.key.rcp}.Seal([]byte("p"))
	toOther, _ := Sealer{newKey(t).rcp}.Seal([]byte("o"))

	if !opens(s.keys.Opener(snap), toSession) || s.loads != 0 {
		t.Errorf("the session key should open its message without loading the store identities (%d loads)", s.loads)
	}
	if !opens(s.keys.Opener(snap), toStore) || s.loads != 1 {
		t.Errorf("the store identities should open what the session cannot (%d loads)", s.loads)
	}
	if !opens(s.keys.Opener(nil), toStore) {
		t.Error("without a session the store identities should open")
	}
	if _, err := s.keys.Opener(snap).Open(toOther); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("a message for someone else: %v, want MAPI_E_NO_ACCESS", err)
	}
	// Locked store identities: the session's refusal is the answer.
	s.failingIdentities()
	if _, err := s.keys.Opener(snap).Open(toStore); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("locked store, session cannot open: %v, want the session's MAPI_E_NO_ACCESS", err)
	}
	if _, err := s.keys.Opener(nil).Open(toStore); !mapi.IsCode(err, mapi.Unconfigured) {
		t.Errorf("locked store, no session: %v, want the identities' error", err)
	}
}

func TestOpenerSessionIdentity(t *testing.T) {
	s := newStore(t, true)
	s.failingIdentities()
	carried := newKey(t)
	k, err := secure.GenerateKey(false)
	if err != nil {
		t.Fatal(err)
	}
	snap := sessionSnap(newKey(t), "")
	snap.Identity = k.Identity
	ct, _ := Sealer{k.Recipient}.Seal([]byte("x"))
	if !opens(s.keys.Opener(snap), ct) || !opens(SessionOpener(snap), ct) {
		t.Error("the profile identity a session carries should open its messages")
	}
	ct, _ = Sealer{carried.rcp}.Seal([]byte("x"))
	if opens(SessionOpener(snap), ct) {
		t.Error("SessionOpener opened a message for another key")
	}
}

func TestSessionOpener(t *testing.T) {
	s := newStore(t, true)
	sess := newKey(t)
	snap := sessionSnap(sess, s.key.rcp)
	toSession, _ := Sealer{sess.rcp}.Seal([]byte("s"))
	toStore, _ := Sealer{s.key.rcp}.Seal([]byte("p"))
	if !opens(SessionOpener(snap), toSession) {
		t.Error("SessionOpener should open with the session key")
	}
	if _, err := SessionOpener(snap).Open(toStore); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("SessionOpener on a store-only message: %v, want MAPI_E_NO_ACCESS", err)
	}
	snap.Key = nil
	if _, err := SessionOpener(snap).Open(toSession); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("SessionOpener without a key: %v, want MAPI_E_NO_ACCESS", err)
	}
}
