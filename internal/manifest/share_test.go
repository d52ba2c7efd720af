package manifest

import (
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// TestShareOneSection: a key given one section reads that section's secret
// and the profile's settings, and no other section's secret; unshare and
// remove take it away again.
func TestShareOneSection(t *testing.T) {
	owner, ro := newKey(t)
	guest, rg := newKey(t)
	own := []age.Identity{owner}
	p := profile.New("team", []string{ro})
	for _, n := range []string{"a", "b"} {
		s, err := p.AddSection(n, "transport", "smtp")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.WriteSecure(own, map[mapi.Tag]any{mapi.PrPassword: "pw-" + n}, p.Recipients, nil, nil); err != nil {
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
	// The guest reads the outer layer (settings).
	doc, _ := profile.Marshal(p)
	ct, err := secure.Encrypt(doc, p.Recipients)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secure.Decrypt(ct, []age.Identity{guest}); err != nil {
		t.Fatalf("guest cannot read the profile: %v", err)
	}
	if c, err := a.ReadSecure([]age.Identity{guest}); err != nil || c.Props[mapi.PrPassword] != "pw-a" {
		t.Fatalf("guest cannot read a: %v", err)
	}
	if _, err := b.ReadSecure([]age.Identity{guest}); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("guest reads b: %v", err)
	}
	if changed, err := Unshare(a, own, rg); err != nil || !changed {
		t.Fatalf("Unshare: %v %v", changed, err)
	}
	if _, err := a.ReadSecure([]age.Identity{guest}); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("guest still reads a: %v", err)
	}
	Share(p, a, own, rg)
	resealed, err := RemoveRecipient(p, own, rg)
	if err != nil || len(resealed) != 1 || resealed[0] != "a" {
		t.Fatalf("RemoveRecipient = %v, %v", resealed, err)
	}
	if len(p.Recipients) != 1 || p.Recipients[0] != ro {
		t.Fatalf("recipients = %v", p.Recipients)
	}
	if _, err := RemoveRecipient(p, own, ro); codeOf(err) != "MAPI_E_INVALID_PARAMETER" {
		t.Fatalf("removing the last reader: %v", err)
	}
}

func TestRekeyResealsReadableRanges(t *testing.T) {
	owner, ro := newKey(t)
	other, rother := newKey(t)
	p := profile.New("team", []string{ro, rother})
	a, _ := p.AddSection("a", "transport", "smtp")
	b, _ := p.AddSection("b", "transport", "smtp")
	a.WriteSecure([]age.Identity{owner}, map[mapi.Tag]any{mapi.PrPassword: "x"}, []string{ro}, nil, nil)
	b.WriteSecure([]age.Identity{other}, map[mapi.Tag]any{mapi.PrPassword: "y"}, []string{rother}, nil, nil)
	oldA, oldB := a.Secure.Age(), b.Secure.Age()
	resealed, skipped, err := Rekey(p, []age.Identity{owner})
	if err != nil || len(resealed) != 1 || len(skipped) != 1 || skipped[0] != "b" {
		t.Fatalf("Rekey = %v %v %v", resealed, skipped, err)
	}
	if a.Secure.Age() == oldA || b.Secure.Age() != oldB {
		t.Fatal("rekey did not re-seal exactly the readable range")
	}
	if c, err := a.ReadSecure([]age.Identity{owner}); err != nil || c.Props[mapi.PrPassword] != "x" {
		t.Fatalf("after rekey: %v", err)
	}
}
