package manifest

import (
	"slices"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// TestShareOneSection: a key given one section reads that section's secret
// and no other section's; unshare and removal take it away again. Sharing
// makes the key a reader of that section only, never of the profile: the
// ranges written later are not sealed to it.
func TestShareOneSection(t *testing.T) {
	owner, ro := newKey(t)
	guest, rg := newKey(t)
	own := []age.Identity{owner}
	gid := []age.Identity{guest}
	p := profile.New("team", []string{ro})
	for _, n := range []string{"a", "b"} {
		s, err := p.AddSection(n, "transport", "smtp")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.WriteSecure(s, own, map[mapi.Tag]any{mapi.PrPassword: "pw-" + n}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := p.Section("a")
	b, _ := p.Section("b")
	if changed, err := Share(p, a, own, rg); err != nil || !changed {
		t.Fatalf("Share: %v %v", changed, err)
	}
	if changed, err := Share(p, a, own, rg); err != nil || changed {
		t.Fatalf("second Share changed=%v err=%v", changed, err)
	}
	if changed, err := Share(p, a, own, ro); err != nil || changed || slices.Contains(a.Readers, ro) {
		t.Fatalf("sharing with an owner changed=%v err=%v readers=%v", changed, err, a.Readers)
	}
	if !slices.Equal(a.Readers, []string{rg}) || len(b.Readers) != 0 || !slices.Equal(p.Owners, []string{ro}) {
		t.Fatalf("owners %v, a readers %v, b readers %v", p.Owners, a.Readers, b.Readers)
	}
	if c, err := a.ReadSecure(gid); err != nil || c.Props[mapi.PrPassword] != "pw-a" {
		t.Fatalf("guest cannot read a: %v", err)
	}
	if _, err := b.ReadSecure(gid); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("guest reads b: %v", err)
	}
	// A section written after the share is not sealed to the guest (the
	// old Share made it a reader of the whole profile: that was the bug).
	deriveRecipients(p)
	c, _ := p.AddSection("c", "transport", "smtp")
	if err := p.WriteSecure(c, own, map[mapi.Tag]any{mapi.PrPassword: "pw-c"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.OpenSecure(gid); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("guest reads a section written after the share: %v", err)
	}

	if changed, err := Unshare(p, a, own, rg); err != nil || !changed {
		t.Fatalf("Unshare: %v %v", changed, err)
	}
	if changed, err := Unshare(p, a, own, rg); err != nil || changed {
		t.Fatalf("second Unshare changed=%v err=%v", changed, err)
	}
	if _, err := a.ReadSecure(gid); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("guest still reads a: %v", err)
	}
	if c, err := a.ReadSecure(own); err != nil || c.Props[mapi.PrPassword] != "pw-a" {
		t.Fatalf("owner after unshare: %v", err)
	}

	// RemoveOwner of a key that is only a reader takes it out of every
	// section and re-seals every range.
	if _, err := Share(p, a, own, rg); err != nil {
		t.Fatal(err)
	}
	changed, resealed, err := RemoveOwner(p, own, rg)
	if err != nil || !changed || !slices.Equal(resealed, []string{"a", "b", "c"}) {
		t.Fatalf("RemoveOwner = %v %v %v", changed, resealed, err)
	}
	if len(a.Readers) != 0 || !slices.Equal(p.Owners, []string{ro}) {
		t.Fatalf("owners %v, a readers %v", p.Owners, a.Readers)
	}
	if _, err := a.OpenSecure(gid); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("removed reader still reads a: %v", err)
	}
	if changed, _, err := RemoveOwner(p, own, rg); err != nil || changed {
		t.Fatalf("removing a stranger changed=%v err=%v", changed, err)
	}
	if _, _, err := RemoveOwner(p, own, ro); codeOf(err) != "MAPI_E_INVALID_PARAMETER" {
		t.Fatalf("removing the last owner: %v", err)
	}
	if !slices.Equal(p.Owners, []string{ro}) {
		t.Fatalf("owners after refused removal: %v", p.Owners)
	}
}

// TestRekeyResealsEveryRange: Rekey re-seals every range with a fresh file
// key to its owners and readers; a range an owner cannot open is an error
// (there is no skipping: an owner opens every range).
func TestRekeyResealsEveryRange(t *testing.T) {
	owner, ro := newKey(t)
	other, rother := newKey(t)
	p := profile.New("team", []string{ro, rother})
	a, _ := p.AddSection("a", "transport", "smtp")
	b, _ := p.AddSection("b", "transport", "smtp")
	if err := p.WriteSecure(a, []age.Identity{owner}, map[mapi.Tag]any{mapi.PrPassword: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteSecure(b, []age.Identity{other}, map[mapi.Tag]any{mapi.PrPassword: "y"}); err != nil {
		t.Fatal(err)
	}
	oldA, oldB := a.Secure.Age(), b.Secure.Age()
	resealed, err := Rekey(p, []age.Identity{owner})
	if err != nil || !slices.Equal(resealed, []string{"a", "b"}) {
		t.Fatalf("Rekey = %v %v", resealed, err)
	}
	if a.Secure.Age() == oldA || b.Secure.Age() == oldB {
		t.Fatal("rekey did not re-seal every range")
	}
	for _, id := range []age.Identity{owner, other} {
		if c, err := a.ReadSecure([]age.Identity{id}); err != nil || c.Props[mapi.PrPassword] != "x" {
			t.Fatalf("a after rekey: %v", err)
		}
		if c, err := b.ReadSecure([]age.Identity{id}); err != nil || c.Props[mapi.PrPassword] != "y" {
			t.Fatalf("b after rekey: %v", err)
		}
	}

	// A range sealed to one owner only (written before the other became
	// one) stops Rekey run by the other.
	q := profile.New("team", []string{rother})
	s, _ := q.AddSection("s", "transport", "smtp")
	if err := q.WriteSecure(s, []age.Identity{other}, map[mapi.Tag]any{mapi.PrPassword: "z"}); err != nil {
		t.Fatal(err)
	}
	q.Owners = append(q.Owners, ro)
	if _, err := Rekey(q, []age.Identity{owner}); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("Rekey of a range the owner cannot open: %v", err)
	}
}

// TestRekeySavesThroughStore: Rekey inside Store.Update leaves the save to
// the store: a new signing key endorsed by the old one, the next version
// signed, written and pinned, and the file reads back verified with its
// credentials.
func TestRekeySavesThroughStore(t *testing.T) {
	owner, ro := newKey(t)
	ids := []age.Identity{owner}
	st := &profile.Store{Root: t.TempDir()}
	if err := st.Create(profile.New("team", []string{ro})); err != nil {
		t.Fatal(err)
	}
	before, err := st.Update("team", ids, func(p *profile.Profile) error {
		s, err := p.AddSection("a", "transport", "smtp")
		if err != nil {
			return err
		}
		return p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	oldKey, oldVersion := before.Signing.Key, before.Version
	after, err := st.Update("team", ids, func(p *profile.Profile) error {
		_, err := Rekey(p, ids)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after.Signing.Key == oldKey || after.Version != oldVersion+1 {
		t.Fatalf("after rekey: key changed %v, version %d (was %d)", after.Signing.Key != oldKey, after.Version, oldVersion)
	}
	if r := after.Signing.Rotations; len(r) == 0 || r[len(r)-1].By != oldKey || r[len(r)-1].Key != after.Signing.Key {
		t.Errorf("the new key is not endorsed by the old one: %+v", r)
	}
	pin, err := st.Pin(after.UID)
	if err != nil || pin == nil || pin.Key != after.Signing.Key || pin.Version != after.Version {
		t.Fatalf("pin after rekey = %+v, %v", pin, err)
	}
	got, err := st.Load("team", ids)
	if err != nil || !got.Trust.Verified {
		t.Fatalf("load after rekey: %v (trust %+v)", err, got)
	}
	s, err := got.Section("a")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrPassword] != "x" {
		t.Fatalf("credentials after rekey: %v", err)
	}
}
