package session

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func snap(uid string, multi bool) *Snapshot {
	st := Settings{SectionUID: uid, Section: "s-" + uid, Transport: "smtp", MultiSession: multi, AddressOverride: true}
	return NewSnapshot("work", []SectionSnapshot{{Settings: st, Address: "a@example.com",
		Credentials: Credentials{Username: "u", Password: "pw-secret"}}}, nil, t0, time.Hour)
}

func TestCreateOpen(t *testing.T) {
	for _, pq := range []bool{false, true} {
		root := t.TempDir()
		tok, err := Create(root, snap("u1", true), pq)
		if err != nil {
			t.Fatal(err)
		}
		id, _, _ := strings.Cut(tok, ".")
		if !mapi.ValidID(id) || strings.HasPrefix(strings.SplitN(tok, ".", 2)[1], "AGE-SECRET-KEY-PQ-1") != pq {
			t.Fatalf("pq=%v: bad token shape", pq)
		}
		got, err := Open(root, tok+"\n", t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != id || got.Sections[0].Credentials.Password != "pw-secret" || got.Key == nil || len(got.SpoolRecipients) != 1 {
			t.Fatalf("pq=%v: snapshot %+v", pq, got)
		}
		// The metadata names the key's recipient (OAuth 2.0 token files
		// are sealed to it), the one the snapshot seals the spool to.
		ms, err := List(root, t0.Add(time.Minute))
		if err != nil || len(ms) != 1 || ms[0].Recipient == "" || ms[0].Recipient != got.SpoolRecipients[0] {
			t.Fatalf("pq=%v: meta %+v, %v; want the key's recipient %s", pq, ms, err, got.SpoolRecipients)
		}
		for _, name := range []string{id + ".json", id + ".age"} {
			b, err := os.ReadFile(filepath.Join(Dir(root), name))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "pw-secret") {
				t.Fatalf("%s holds the password in plaintext", name)
			}
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	root := t.TempDir()
	tokA, err := Create(root, snap("a", true), false)
	if err != nil {
		t.Fatal(err)
	}
	tokB, err := Create(root, snap("b", true), false)
	if err != nil {
		t.Fatal(err)
	}
	idA, _, _ := strings.Cut(tokA, ".")
	_, keyB, _ := strings.Cut(tokB, ".")
	for _, tc := range []struct{ name, tok string }{
		{"empty", ""},
		{"no dot", idA},
		{"bad id", "../../etc/passwd." + keyB},
		{"bad key", idA + ".AGE-SECRET-KEY-1QQQ"},
		{"forged", idA + "." + keyB},
		{"unknown", "zzzzzzzzzzzzzzzzzzzzzzzzzz." + keyB},
	} {
		_, err := Open(root, tc.tok, t0)
		if !mapi.IsCode(err, mapi.LogonFailed) {
			t.Errorf("%s: got %v, want MAPI_E_LOGON_FAILED", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), keyB[16:]) {
			t.Errorf("%s: error echoes the key", tc.name)
		}
	}
	// Expired: refused, and its files removed.
	if _, err := Open(root, tokA, t0.Add(time.Hour)); !mapi.IsCode(err, mapi.LogonFailed) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := os.Stat(filepath.Join(Dir(root), idA+".age")); !os.IsNotExist(err) {
		t.Fatal("expired session file left behind")
	}
}

func TestListLogoffBusy(t *testing.T) {
	root := t.TempDir()
	if ms, err := List(root, t0); err != nil || len(ms) != 0 {
		t.Fatalf("empty store: %v %v", ms, err)
	}
	tok, err := Create(root, snap("x", false), false)
	if err != nil {
		t.Fatal(err)
	}
	// multi-session=false: a second live logon to section x is busy,
	// a logon to another section is not.
	if _, err := Create(root, snap("x", true), false); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("second logon: %v, want MAPI_E_BUSY", err)
	}
	if _, err := Create(root, snap("y", false), false); err != nil {
		t.Fatal(err)
	}
	// Once the first expired, the section is free again.
	if _, err := Create(root, NewSnapshot("work", snap("x", false).Sections, nil, t0.Add(2*time.Hour), time.Hour), false); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	ms, err := List(root, t0.Add(2*time.Hour))
	if err != nil || len(ms) != 1 {
		t.Fatalf("list after expiry: %d sessions, %v", len(ms), err)
	}
	// List removes nothing: the expired session stays for Sweep, which
	// reports it (its token files are re-sealed by the caller).
	id, _, _ := strings.Cut(tok, ".")
	if m, s := paths(root, id); !fileExists(m) || !fileExists(s) {
		t.Fatal("List removed an expired session's files")
	}
	if _, err := Lookup(root, id, t0.Add(2*time.Hour)); !mapi.IsCode(err, mapi.NotFound) {
		t.Fatalf("Lookup of an expired session: %v, want MAPI_E_NOT_FOUND", err)
	}
	if _, exp, err := Sweep(root, t0.Add(2*time.Hour)); err != nil || len(exp) != 2 ||
		!slices.ContainsFunc(exp, func(m Meta) bool { return m.ID == id }) {
		t.Fatalf("Sweep after List: expired %+v, %v; want the two expired sessions, %s among them", exp, err, id)
	}
	if err := Logoff(root, id); !mapi.IsCode(err, mapi.NotFound) {
		t.Fatalf("logoff of an expired-and-removed session: %v", err)
	}
	if err := Logoff(root, ms[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := Logoff(root, "../x"); !mapi.IsCode(err, mapi.InvalidParameter) {
		t.Fatalf("malformed ID: %v", err)
	}
	if ms, _ := List(root, t0.Add(2*time.Hour)); len(ms) != 0 {
		t.Fatalf("after logoff: %v", ms)
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add("00000000000000000000000000.AGE-SECRET-KEY-1QQQ")
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, s string) {
		id, key, err := ParseToken(s)
		if err != nil {
			if !mapi.IsCode(err, mapi.LogonFailed) || id != "" || key != nil {
				t.Fatalf("bad failure: %v", err)
			}
			return
		}
		if !mapi.ValidID(id) || key == nil {
			t.Fatalf("accepted a bad token")
		}
	})
}

// Sweep removes the files of expired sessions and reports them, with the
// section uids and profile uid that name the token files their keys were
// sealed into; a session whose sealed file Open removed at its expiry is
// reported too. A logon (Create) passes expired sessions over without
// removing them, so that the next Sweep reports them; List reports none.
func TestSweepReportsExpired(t *testing.T) {
	root := t.TempDir()
	old := snap("a", true)
	old.ProfileUID = "p1"
	if _, err := Create(root, old, false); err != nil {
		t.Fatal(err)
	}
	opened := snap("b", true)
	tokOpened, err := Create(root, opened, false)
	if err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Hour)
	if _, err := Open(root, tokOpened, later); !mapi.IsCode(err, mapi.LogonFailed) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := os.Stat(filepath.Join(Dir(root), opened.ID+".age")); !os.IsNotExist(err) {
		t.Fatal("Open left an expired session's sealed file")
	}
	fresh := NewSnapshot("work", snap("c", true).Sections, nil, later, time.Hour)
	if _, err := Create(root, fresh, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(Dir(root), old.ID+".json")); err != nil {
		t.Fatalf("Create removed an expired session unreported: %v", err)
	}
	live, expired, err := Sweep(root, later)
	if err != nil || len(live) != 1 || live[0].ID != fresh.ID || len(expired) != 2 {
		t.Fatalf("Sweep: live %+v, expired %+v, %v", live, expired, err)
	}
	got := map[string]Meta{expired[0].ID: expired[0], expired[1].ID: expired[1]}
	if m := got[old.ID]; m.ProfileUID != "p1" || len(m.SectionUIDs) != 1 || m.SectionUIDs[0] != "a" || m.Recipient == "" {
		t.Errorf("expired session %+v: want its profile uid, section uids and recipient", m)
	}
	if m := got[opened.ID]; len(m.SectionUIDs) != 1 || m.SectionUIDs[0] != "b" {
		t.Errorf("session expired at Open: %+v", m)
	}
	for _, id := range []string{old.ID, opened.ID} {
		for _, ext := range []string{".json", ".age"} {
			if _, err := os.Stat(filepath.Join(Dir(root), id+ext)); !os.IsNotExist(err) {
				t.Errorf("%s%s left after Sweep", id, ext)
			}
		}
	}
	if _, expired, _ := Sweep(root, later); len(expired) != 0 {
		t.Errorf("reported twice: %+v", expired)
	}
}
