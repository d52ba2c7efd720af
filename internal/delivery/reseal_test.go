package delivery

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sealedPayload returns the sealed payload file of message id.
func sealedPayload(t *testing.T, s *store, id string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "spool", "outbox", id+".age"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResealSession(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	sess := newKey(t)
	snap := sessionSnap(sess, s.key.rcp)
	if err := ResealSession(sp, snap); err != nil {
		t.Fatalf("no message: %v", err)
	}
	seal, err := s.keys.Recipients(snap)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := sp.Enqueue(seal, "p", "uid", snap.ID, payload())
	if err != nil {
		t.Fatal(err)
	}
	other, err := sp.Enqueue(seal, "p", "uid", "", payload())
	if err != nil {
		t.Fatal(err)
	}
	if !opens(SessionOpener(snap), sealedPayload(t, s, mine)) {
		t.Fatal("the session key should open its message before logoff")
	}
	if err := ResealSession(sp, snap); err != nil {
		t.Fatal(err)
	}
	if opens(SessionOpener(snap), sealedPayload(t, s, mine)) {
		t.Error("the session key still opens its message after the re-seal")
	}
	if _, _, err := sp.Load(mine, s.keys.Opener(nil)); err != nil {
		t.Errorf("the store identity cannot open the re-sealed message: %v", err)
	}
	if !opens(SessionOpener(snap), sealedPayload(t, s, other)) {
		t.Error("a message not queued under the session was re-sealed")
	}
	if s.loads != 1 {
		t.Errorf("the store identities were loaded %d times; only the check above should load them", s.loads)
	}
}

func TestResealSessionWithoutStoreRecipient(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	sess := newKey(t)
	snap := sessionSnap(sess, "") // sealed to its own key only
	if _, err := sp.Enqueue(Sealer{sess.rcp}, "p", "uid", snap.ID, payload()); err != nil {
		t.Fatal(err)
	}
	err := ResealSession(sp, snap)
	if err == nil || !strings.Contains(err.Error(), "1 message(s) queued under session "+snap.ID+" stay sealed to its key") {
		t.Errorf("ResealSession = %v, want how many stay sealed", err)
	}
}

func TestResealOrphans(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	sess := newKey(t)
	gone := sessionSnap(sess, s.key.rcp) // no sessions/ file: not live
	seal := Sealer{sess.rcp, s.key.rcp}
	orphan, err := sp.Enqueue(seal, "p", "uid", gone.ID, payload())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sp.Enqueue(seal, "p", "uid", "", payload())
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	sp.Warn = func(id string, err error) { warned = append(warned, id+": "+err.Error()) }
	s.keys.ResealOrphans(sp, s.keys.Opener(nil), nil)
	if opens(SessionOpener(gone), sealedPayload(t, s, orphan)) {
		t.Error("the orphan's session key still opens it")
	}
	if _, _, err := sp.Load(orphan, s.keys.Opener(nil)); err != nil {
		t.Errorf("the store identity cannot open the re-sealed orphan: %v", err)
	}
	if !opens(SessionOpener(gone), sealedPayload(t, s, plain)) {
		t.Error("a message queued under no session was re-sealed")
	}
	if len(warned) > 0 {
		t.Errorf("warnings: %q", warned)
	}
}

func TestResealOrphansQuietWhenLocked(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	sess := newKey(t)
	gone := sessionSnap(sess, s.key.rcp)
	id, err := sp.Enqueue(Sealer{sess.rcp, s.key.rcp}, "p", "uid", gone.ID, payload())
	if err != nil {
		t.Fatal(err)
	}
	s.failingIdentities()
	var warned []string
	sp.Warn = func(id string, err error) { warned = append(warned, id+": "+err.Error()) }
	s.keys.ResealOrphans(sp, s.keys.Opener(nil), nil)
	if len(warned) > 0 {
		t.Errorf("a message the opener cannot open was warned about: %q", warned)
	}
	if !opens(SessionOpener(gone), sealedPayload(t, s, id)) {
		t.Error("a message that could not be opened changed")
	}
	// Without identity.pub there is nothing to re-seal to.
	if err := os.Remove(filepath.Join(s.dir, "identity.pub")); err != nil {
		t.Fatal(err)
	}
	s.loads = 0
	s.keys.ResealOrphans(sp, s.keys.Opener(nil), nil)
	if s.loads != 0 {
		t.Error("ResealOrphans without identity.pub tried to open messages")
	}
}
