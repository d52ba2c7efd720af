package account

import "testing"

// Target names what the spool record needs, and fixes the sender of a
// section with address-override=false (mx) only.
func TestResolverTarget(t *testing.T) {
	fx := newFixture(t)
	var built []builtTransport
	r := fx.resolver(nil, &built)
	for _, name := range []string{"mx", "box"} {
		a, err := r.Sending(name)
		if err != nil {
			t.Fatal(err)
		}
		tg := r.Target(a)
		if tg.Profile != "work" || tg.SectionUID != fx.uid[name] || tg.Section != name || tg.Session != "" ||
			tg.From != a.From || tg.Snap != nil || tg.Resolve == nil || tg.FixedSender != (name == "mx") {
			t.Fatalf("%s: %+v", name, tg)
		}
	}
	r = fx.resolver(fx.snap, &built)
	a, err := r.Sending("mx")
	if err != nil {
		t.Fatal(err)
	}
	if tg := r.Target(a); tg.Session != "sess" || tg.Snap != fx.snap || tg.From.Email != "as@example.com" {
		t.Fatalf("session: %+v", tg)
	}
}
