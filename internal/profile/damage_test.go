package profile

import (
	"bytes"
	"fmt"
	"os"
	"strings"
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
	if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "pw"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(p); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(st.Path("work"))
	if err != nil {
		t.Fatal(err)
	}
	pin, err := os.ReadFile(st.pinPath(p.UID))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if after, _ := os.ReadFile(st.pinPath(p.UID)); !bytes.Equal(after, pin) {
			t.Error("a damaged file changed the pin")
		}
	}()
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

// TestLargeProfileChunks covers a profile of several age chunks, decrypted
// by two goroutines at once: both readers agree with the profile written,
// and a file cut or flipped in any chunk is MAPI_E_CORRUPT_DATA for each of
// them, never a partial read.
func TestLargeProfileChunks(t *testing.T) {
	k := testKey(t)
	ids := []age.Identity{k}
	st := &Store{Root: t.TempDir()}
	p := New("big", []string{k.Recipient().String()})
	for i := range 400 { // ~380 KB: the goroutine decrypts past the first span
		s, err := p.AddSection(fmt.Sprintf("s%d", i), KindTransport, "smtp")
		if err != nil {
			t.Fatal(err)
		}
		s.Props[mapi.PrSMTPHost] = strings.Repeat("h", 900) + fmt.Sprint(i)
	}
	if err := st.Create(p); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(st.Path("big"))
	if err != nil {
		t.Fatal(err)
	}
	if len(good) < 5*64<<10 {
		t.Fatalf("profile of %d bytes is not several chunks", len(good))
	}
	q, err := st.Load("big", ids)
	if err != nil || len(q.Sections) != 401 {
		t.Fatalf("Load: %v", err)
	}
	s, err := st.LoadSection("big", "s399", ids)
	if err != nil || s.String(mapi.PrSMTPHost) != strings.Repeat("h", 900)+"399" {
		t.Fatalf("LoadSection: %v", err)
	}
	for _, cut := range []int{len(good) - 1, len(good) - 17, 64 << 10, 64<<10 + 100, 2*64<<10 + 5, 5*64<<10 + 3} {
		for _, damaged := range [][]byte{good[:cut], flip(good, cut-1)} {
			if err := os.WriteFile(st.Path("big"), damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Load("big", ids); mapi.AsError(err).Code != mapi.CorruptData {
				t.Errorf("Load of a file damaged at %d: %v, want MAPI_E_CORRUPT_DATA", cut, err)
			}
			if _, err := st.LoadSection("big", "s0", ids); mapi.AsError(err).Code != mapi.CorruptData {
				t.Errorf("LoadSection of a file damaged at %d: %v, want MAPI_E_CORRUPT_DATA", cut, err)
			}
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x20
	return c
}

// TestDamageIsNamed: a file that fails to authenticate says so, not that its
// JSON is malformed (the decoder reads while age decrypts).
func TestDamageIsNamed(t *testing.T) {
	k := testKey(t)
	ids := []age.Identity{k}
	st := &Store{Root: t.TempDir()}
	if err := st.Create(New("work", []string{k.Recipient().String()})); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(st.Path("work"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path("work"), append(good, "garbage"...), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func() error{
		"Load":        func() error { _, err := st.Load("work", ids); return err },
		"LoadSection": func() error { _, err := st.LoadSection("work", "global", ids); return err },
	} {
		err := load()
		if mapi.AsError(err).Code != mapi.CorruptData || !strings.Contains(err.Error(), "decrypt") ||
			strings.Contains(err.Error(), "JSON") {
			t.Errorf("%s: %v; want MAPI_E_CORRUPT_DATA saying the file does not decrypt", name, err)
		}
	}
}
