package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sessionFixture makes a store with a maildir section, a live session and
// one message queued under it; it returns the token and the message ID.
func sessionFixture(t *testing.T) (s *relStore, token, msgID string) {
	t.Helper()
	s = newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "local", "--transport", "maildir", "--set", "email=me@example.com",
		"--set", "maildir.path="+filepath.Join(s.home, "Maildir"))
	var logon struct {
		Token string `json:"token"`
		ID    string `json:"id"`
	}
	if err := json.Unmarshal([]byte(s.must("session", "logon", "-o", "json")), &logon); err != nil {
		t.Fatal(err)
	}
	c := s.cmd("message", "send", "--queue", "--to", "bob@example.com", "--subject", "x", "--body", "y", "-o", "json")
	c.Env = append(c.Env, "MAPICTL_SESSION="+logon.Token)
	out, err := c.Output()
	if err != nil {
		t.Fatalf("message send --queue: %v", err)
	}
	var sent struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &sent); err != nil || sent.ID == "" {
		t.Fatalf("message send output %q: %v", out, err)
	}
	return s, logon.Token, sent.ID
}

// truncCase is one file to cut at every length and the commands that must
// then fail with one of the allowed exits (never a panic, never a rewrite
// of the file).
type truncCase struct {
	name  string
	file  func(s *relStore, id string) string
	env   func(token string) map[string]string
	args  func(id string) []string
	exits []int
}

func TestTruncateSessionAndSpoolFiles(t *testing.T) {
	session := func(tok string) map[string]string { return map[string]string{"MAPICTL_SESSION": tok} }
	noSession := func(string) map[string]string { return nil }
	cases := []truncCase{
		{"session .age, send", func(s *relStore, _ string) string { return sessionFile(s, ".age") }, session,
			func(string) []string {
				return []string{"message", "send", "--queue", "--to", "a@example.com", "--body", "x"}
			},
			[]int{65, 77}},
		// the .json is metadata only: the session still works, and list
		// leaves it out (TestLogoffDamagedSession: it can still be logged off)
		{"session .json, list", func(s *relStore, _ string) string { return sessionFile(s, ".json") }, session,
			func(string) []string { return []string{"session", "list"} }, []int{0}},
		{"spool .age, show", func(s *relStore, id string) string { return filepath.Join(s.dir, "spool", "outbox", id+".age") }, noSession,
			func(id string) []string { return []string{"spool", "show", id} }, []int{65, 77}},
		{"spool .json, show", func(s *relStore, id string) string { return filepath.Join(s.dir, "spool", "outbox", id+".json") }, noSession,
			func(id string) []string { return []string{"spool", "show", id} }, []int{65, 77}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, token, id := sessionFixture(t)
			path := tc.file(s, id)
			full, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for n := 0; n < len(full); n++ {
				if err := os.WriteFile(path, full[:n], 0o600); err != nil {
					t.Fatal(err)
				}
				code, _, errs := s.inproc(tc.env(token), tc.args(id)...)
				// cutting a trailing newline leaves a valid document
				if !slices.Contains(tc.exits, code) && !(code == 0 && json.Valid(full[:n])) {
					t.Fatalf("cut to %d of %d bytes: exit %d; want one of %v\n%s", n, len(full), code, tc.exits, errs)
				}
				if got, _ := os.ReadFile(path); !bytes.Equal(got, full[:n]) {
					t.Fatalf("cut to %d bytes: the file was rewritten", n)
				}
			}
		})
	}
}

// sessionFile is the one sessions/*EXT file of s.
func sessionFile(s *relStore, ext string) string {
	m, _ := filepath.Glob(filepath.Join(s.dir, "sessions", "*"+ext))
	if len(m) != 1 {
		s.t.Fatalf("sessions/*%s: %v", ext, m)
	}
	return m[0]
}

// TestLogoffDamagedSession: a session whose .json is damaged is not listed,
// but its .age still holds the credentials and the token still opens it:
// logoff (current, by ID, --all) must still delete it. (Found by
// TestTruncateSessionAndSpoolFiles: logoff answered 66 and kept the .age.)
func TestLogoffDamagedSession(t *testing.T) {
	for _, args := range [][]string{{"session", "logoff"}, {"session", "logoff", "ID"}, {"session", "logoff", "--all"}} {
		t.Run(args[len(args)-1], func(t *testing.T) {
			s, token, _ := sessionFixture(t)
			meta, sealed := sessionFile(s, ".json"), sessionFile(s, ".age")
			if err := os.WriteFile(meta, []byte("{"), 0o600); err != nil {
				t.Fatal(err)
			}
			if args[len(args)-1] == "ID" {
				args = []string{"session", "logoff", strings.TrimSuffix(filepath.Base(sealed), ".age")}
			}
			if code, _, errs := s.inproc(map[string]string{"MAPICTL_SESSION": token}, args...); code != 0 {
				t.Fatalf("%v: exit %d\n%s", args, code, errs)
			}
			for _, p := range []string{meta, sealed} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s still there after logoff (%v)", filepath.Base(p), err)
				}
			}
			code, _, _ := s.inproc(map[string]string{"MAPICTL_SESSION": token}, "message", "send", "--queue", "--to", "a@example.com", "--body", "x")
			if code != 77 {
				t.Errorf("token after logoff: exit %d; want 77", code)
			}
		})
	}
}

// TestShowDamagedSession: `session show` of a session whose .json is damaged
// says so (65, with the logoff hint), where it used to say there was no such
// session (66); an ID that was never there is still 66.
func TestShowDamagedSession(t *testing.T) {
	s, token, _ := sessionFixture(t)
	meta, sealed := sessionFile(s, ".json"), sessionFile(s, ".age")
	if err := os.WriteFile(meta, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSuffix(filepath.Base(sealed), ".age")
	for _, args := range [][]string{{"session", "show", id}, {"session", "show"}} {
		code, _, errs := s.inproc(map[string]string{"MAPICTL_SESSION": token}, args...)
		if code != 65 || !strings.Contains(errs, "damaged") || !strings.Contains(errs, "session logoff "+id) {
			t.Errorf("%v: exit %d, want 65 naming the damage and the logoff\n%s", args, code, errs)
		}
	}
	if code, _, _ := s.inproc(nil, "session", "show", strings.Repeat("0", len(id))); code != 66 {
		t.Errorf("show of an unknown session: exit %d, want 66", code)
	}
	if b, _ := os.ReadFile(meta); string(b) != "{" {
		t.Errorf("show rewrote the damaged metadata: %q", b)
	}
}
