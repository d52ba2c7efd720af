package profile

import (
	"errors"
	"slices"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestUpdateSecure: the read-merge-write starts from nothing, keeps what
// fn leaves alone, writes nothing when fn fails or the binds no longer
// match, seals only to SealedTo, and removes a range fn empties.
func TestUpdateSecure(t *testing.T) {
	owner, reader := testKey(t), testKey(t)
	ids := []age.Identity{owner}
	p := New("w", []string{owner.Recipient().String()})
	s, _ := p.AddSection("smtp", KindTransport, "smtp")
	s.Props[mapi.PrSMTPHost] = "mail.example.com"
	s.Readers = []string{reader.Recipient().String()}

	set := func(t mapi.Tag, v any) func(map[mapi.Tag]any) error {
		return func(props map[mapi.Tag]any) error { props[t] = v; return nil }
	}
	read := func() map[mapi.Tag]any {
		t.Helper()
		c, err := s.ReadSecure([]age.Identity{reader})
		if err != nil {
			t.Fatal(err)
		}
		return c.Props
	}

	// no range yet: fn starts from an empty map
	err := p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
		if len(props) != 0 {
			t.Errorf("first call: props = %v, want empty", props)
		}
		props[mapi.PrPassword] = "hunter2"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(); got[mapi.PrPassword] != "hunter2" || len(got) != 1 {
		t.Fatalf("after the first update: %v", got)
	}
	if !slices.Equal(s.Secure.Recipients, p.SealedTo(s)) {
		t.Errorf("sealed to %v, want %v", s.Secure.Recipients, p.SealedTo(s))
	}

	// a merge keeps the other secrets
	if err := p.UpdateSecure(s, ids, set(mapi.PrUsername, "dana")); err != nil {
		t.Fatal(err)
	}
	if got := read(); got[mapi.PrPassword] != "hunter2" || got[mapi.PrUsername] != "dana" {
		t.Fatalf("after the merge: %v", got)
	}

	// fn's error is returned as is, and nothing is written
	before := s.Secure
	boom := errors.New("boom")
	if err := p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
		props[mapi.PrPassword] = "lost"
		return boom
	}); err != boom {
		t.Fatalf("fn's error: %v", err)
	}
	if s.Secure != before {
		t.Error("a failed fn rewrote the range")
	}

	// an identity that cannot open the range writes nothing
	if err := p.UpdateSecure(s, []age.Identity{testKey(t)}, set(mapi.PrPassword, "x")); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("outsider: %v, want MAPI_E_NO_ACCESS", err)
	}

	// settings changed since the range was stored: refused, fn never runs
	s.Props[mapi.PrSMTPHost] = "evil.example"
	err = p.UpdateSecure(s, ids, func(map[mapi.Tag]any) error {
		t.Error("fn ran on a range whose binds do not match")
		return nil
	})
	if !mapi.IsCode(err, mapi.NoAccess) || s.Secure != before {
		t.Fatalf("stale binds: %v (range rewritten: %v), want MAPI_E_NO_ACCESS", err, s.Secure != before)
	}
	s.Props[mapi.PrSMTPHost] = "mail.example.com"

	// fn emptying the map removes the range
	if err := p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
		clear(props)
		return nil
	}); err != nil || s.Secure != nil {
		t.Fatalf("emptied: %v, range %v", err, s.Secure)
	}
}
