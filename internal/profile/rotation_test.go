package profile

import (
	"os"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

func rotKey(t *testing.T) (*age.X25519Identity, []age.Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id, []age.Identity{id}
}

// copyTo brings profile name of from into store to, as `profile add` does.
func copyTo(t *testing.T, from, to *Store, name string, ids []age.Identity) *Profile {
	t.Helper()
	ct, err := os.ReadFile(from.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := to.Add(ct, ids)
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	return p
}

func acceptAll(t *testing.T, st *Store, name string, ids []age.Identity) *Review {
	t.Helper()
	r, err := st.Review(name, ids)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Accept(r, ids); err != nil {
		t.Fatalf("accept: %v", err)
	}
	return r
}

func pinnedKey(t *testing.T, st *Store, uid string) string {
	t.Helper()
	pin, err := st.Pin(uid)
	if err != nil || pin == nil {
		t.Fatalf("pin: %v %v", pin, err)
	}
	return pin.Key
}

// TestOwnersSettleOnARotation: two owners, each with a store of its own.
// When A removes an owner (which rotates the key), B's store sees an
// endorsed rotation, not a replaced key: B's accept adopts A's new key
// instead of making a third, and A then takes B's next version with a
// plain add, verified. Without the endorsement the two would rotate
// against each other forever.
func TestOwnersSettleOnARotation(t *testing.T) {
	a, aIDs := rotKey(t)
	b, bIDs := rotKey(t)
	c, _ := rotKey(t)
	stA, stB := &Store{Root: t.TempDir()}, &Store{Root: t.TempDir()}
	p := New("team", []string{a.Recipient().String(), b.Recipient().String(), c.Recipient().String()})
	if err := stA.Create(p); err != nil {
		t.Fatal(err)
	}
	copyTo(t, stA, stB, "team", bIDs)
	r := acceptAll(t, stB, "team", bIDs) // first contact: B checks A's fingerprint out of band
	if r.FreshKey {
		t.Fatal("first contact of a co-owner made a fresh key")
	}
	k1 := pinnedKey(t, stA, p.UID)
	if pinnedKey(t, stB, p.UID) != k1 {
		t.Fatal("B did not pin A's key on first contact")
	}

	// A removes C: the key rotates, endorsed by k1.
	if _, err := stA.Update("team", aIDs, func(p *Profile) error {
		p.Owners = p.Owners[:2]
		p.RotateSigningKey()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	k2 := pinnedKey(t, stA, p.UID)
	if k2 == k1 {
		t.Fatal("no rotation")
	}
	got := copyTo(t, stA, stB, "team", bIDs)
	if got.Trust.Verified || !got.Trust.Rotated {
		t.Fatalf("B's view of A's rotation: verified %v rotated %v (%s)", got.Trust.Verified, got.Trust.Rotated, got.Trust.Reason)
	}
	if _, err := stB.Load("team", bIDs); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("a rotation is used before it is accepted: %v", err)
	}
	r = acceptAll(t, stB, "team", bIDs)
	if !r.Rotated || r.KeyReplaced || r.FreshKey {
		t.Fatalf("review of an endorsed rotation: rotated %v replaced %v fresh %v", r.Rotated, r.KeyReplaced, r.FreshKey)
	}
	if pinnedKey(t, stB, p.UID) != k2 {
		t.Fatal("B's owner store did not adopt the endorsed key")
	}
	// B's next write is signed with k2: A takes it verified.
	if _, err := stB.Update("team", bIDs, func(p *Profile) error {
		_, err := p.AddSection("b-side", KindTransport, "maildir")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	back := copyTo(t, stB, stA, "team", aIDs)
	if !back.Trust.Verified {
		t.Fatalf("A's view of B's version: %s", back.Trust.Reason)
	}
	if _, err := stA.Load("team", aIDs); err != nil {
		t.Fatal(err)
	}
}

// TestForeignKeyNeverAdopted: a reader seals a key pair of its own to the
// owners and signs a forged document with it. The owner's review calls it
// replaced, and accepting makes a fresh key, neither the pinned one nor the
// forger's, endorsed by the pinned key so that other stores follow it.
func TestForeignKeyNeverAdopted(t *testing.T) {
	o, oIDs := rotKey(t)
	g, gIDs := rotKey(t)
	st := &Store{Root: t.TempDir()}
	p := New("team", []string{o.Recipient().String()})
	if err := st.Create(p); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Update("team", oIDs, func(p *Profile) error {
		s, err := p.AddSection("s1", KindTransport, "smtp")
		if err != nil {
			return err
		}
		s.Readers = []string{g.Recipient().String()}
		return p.WriteSecure(s, oIDs, map[mapi.Tag]any{mapi.PrPassword: "pw"})
	}); err != nil {
		t.Fatal(err)
	}
	k1 := pinnedKey(t, st, p.UID)

	// The forger: decrypt, edit, seal its own key to the owners, sign.
	ct, _ := os.ReadFile(st.Path("team"))
	plain, err := secure.Decrypt(ct, gIDs)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Unmarshal(plain)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := doc.Section("s1")
	s.Props[mapi.PrSMTPHost] = "evil.example"
	evil := secure.NewSigningKey()
	sealed, err := evil.Seal(doc.Owners)
	if err != nil {
		t.Fatal(err)
	}
	doc.Signing = &Signing{Key: evil.Public()}
	doc.Signing.setSealed(sealed)
	doc.Version += 5
	body, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := signDocument(body, evil)
	forged, err := secure.Encrypt(signed, doc.Recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path("team"), forged, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := st.Load("team", oIDs); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("forged document loaded: %v", err)
	}
	r := acceptAll(t, st, "team", oIDs)
	if !r.KeyReplaced || r.Rotated || !r.FreshKey {
		t.Fatalf("review: replaced %v rotated %v fresh %v", r.KeyReplaced, r.Rotated, r.FreshKey)
	}
	k := pinnedKey(t, st, p.UID)
	if k == k1 || k == evil.Public() {
		t.Fatalf("accept pinned the old or the forger's key")
	}
	after, err := st.Load("team", oIDs)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Signing.rotatedFrom(p.UID, k1) {
		t.Fatal("the fresh key is not endorsed by the pinned one")
	}
	if after.Signing.rotatedFrom(p.UID, evil.Public()) {
		t.Fatal("the forger's key endorses the new one")
	}
}

// TestReaderCannotRollBack: a reader's store that verified version 2
// refuses to accept version 1 put back in its place (only an owner
// supersedes a pin), and its pin stays at 2.
func TestReaderCannotRollBack(t *testing.T) {
	o, oIDs := rotKey(t)
	g, gIDs := rotKey(t)
	stO, stR := &Store{Root: t.TempDir()}, &Store{Root: t.TempDir()}
	p := New("team", []string{o.Recipient().String()})
	if err := stO.Create(p); err != nil {
		t.Fatal(err)
	}
	if _, err := stO.Update("team", oIDs, func(p *Profile) error {
		s, err := p.AddSection("s1", KindTransport, "maildir")
		s.Readers = []string{g.Recipient().String()}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v1, _ := os.ReadFile(stO.Path("team"))
	copyTo(t, stO, stR, "team", gIDs)
	acceptAll(t, stR, "team", gIDs)
	if _, err := stO.Update("team", oIDs, func(p *Profile) error {
		_, err := p.AddSection("s2", KindTransport, "maildir")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := copyTo(t, stO, stR, "team", gIDs); !got.Trust.Verified {
		t.Fatalf("newer version: %s", got.Trust.Reason)
	}
	pin, _ := stR.Pin(p.UID)
	if err := os.WriteFile(stR.Path("team"), v1, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := stR.Review("team", gIDs)
	if err != nil {
		t.Fatal(err)
	}
	if err := stR.Accept(r, gIDs); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("a reader accepted a rollback: %v", err)
	}
	if now, _ := stR.Pin(p.UID); now.Version != pin.Version {
		t.Fatalf("pin went from version %d to %d", pin.Version, now.Version)
	}
}

// TestRenameToItself is a collision at once, not a wait on its own lock.
func TestRenameToItself(t *testing.T) {
	o, oIDs := rotKey(t)
	st := &Store{Root: t.TempDir()}
	if err := st.Create(New("team", []string{o.Recipient().String()})); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Rename("team", "team", oIDs); !mapi.IsCode(err, mapi.Collision) {
		t.Fatalf("rename to itself: %v", err)
	}
}
