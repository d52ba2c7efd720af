package profile

import (
	"bytes"
	"os"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestDamagedProfileFile truncates a profile file at every length and flips
// every byte of it: each load must fail with MAPI_E_CORRUPT_DATA or
// MAPI_E_NO_ACCESS, never panic, and an Update must never write over it
// (issue #7).
func TestDamagedProfileFile(t *testing.T) {
	k := testKey(t)
	ids := []age.Identity{k}
	st := &Store{Root: t.TempDir()}
	p := New("work", []string{k.Recipient().String()})
	s, err := p.AddSection("smtp", KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteSecure(ids, map[mapi.Tag]any{mapi.PrPassword: "pw"}, p.Recipients, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(p); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(st.Path("work"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, damaged []byte, what string) {
		if err := os.WriteFile(st.Path("work"), damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := st.Load("work", ids)
		if err == nil {
			t.Fatalf("%s: load succeeded", what)
		}
		if c := mapi.AsError(err).Code; c != mapi.CorruptData && c != mapi.NoAccess {
			t.Fatalf("%s: code %s, want CORRUPT_DATA or NO_ACCESS", what, c.Name)
		}
		if _, err := st.Update("work", ids, func(*Profile) error { return nil }); err == nil {
			t.Fatalf("%s: update succeeded", what)
		}
		after, _ := os.ReadFile(st.Path("work"))
		if !bytes.Equal(after, damaged) {
			t.Fatalf("%s: the damaged file was rewritten", what)
		}
	}
	for n := 0; n < len(good); n++ {
		check(t, good[:n], "truncated")
	}
	step := 1
	if testing.Short() {
		step = 7
	}
	for i := 0; i < len(good); i += step {
		flipped := bytes.Clone(good)
		flipped[i] ^= 0x01
		check(t, flipped, "flipped")
	}
}
