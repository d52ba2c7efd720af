package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// A token file that is corrupt, or whose lock cannot be taken, is a local
// failure (SPEC §9): message send ends with the token supply's code and
// exit (65 MAPI_E_CORRUPT_DATA, 74 MAPI_E_DISK_ERROR), not 69, and the
// message stays queued: nothing in spool/failed, no report to the sender.
// Once the cause is fixed, spool flush sends it.
func TestOAuth2LocalFailuresKeepQueued(t *testing.T) {
	t.Parallel()
	// Access tokens that live 2 s: every send refreshes, under the lock.
	m := newOAuthMail(t, 0, []string{"XOAUTH2"}, oauthtest.AccessTokenLifetime(2*time.Second))
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	send := []string{"message", "send", "--to", "bob@example.com", "--body", "hi"}
	failed := func() int {
		t.Helper()
		es, err := os.ReadDir(filepath.Join(s.dir, "spool", "failed"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return len(es)
	}
	check := func(what string, queued int) {
		t.Helper()
		if n := s.spoolStates(); n["queued"] != queued || n["failed"] != 0 || failed() != 0 {
			t.Fatalf("%s: spool %v, %d files in spool/failed; want %d queued, none failed", what, n, failed(), queued)
		}
	}

	tf := s.tokenFile()
	good, err := os.ReadFile(tf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tf, []byte("not a token file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	errs := s.exits(65, send, "MAPI_E_CORRUPT_DATA", "stays queued")
	if strings.Contains(errs, "MAPI_E_NETWORK_ERROR") {
		t.Errorf("a corrupt token file reported as a network error:\n%s", errs)
	}
	check("corrupt token file", 1)
	if err := os.WriteFile(tf, good, 0o600); err != nil {
		t.Fatal(err)
	}

	lp := strings.TrimSuffix(tf, ".age") + ".lock"
	if err := os.Remove(lp); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.Mkdir(lp, 0o700); err != nil { // a lock that cannot be opened
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the access token expires: a refresh needs the lock
	s.exits(74, send, "MAPI_E_DISK_ERROR", "stays queued")
	check("unusable lock", 2)
	if err := os.Remove(lp); err != nil {
		t.Fatal(err)
	}

	s.ok("spool", "flush")
	if sent, _, _ := m.counts(); sent != 2 {
		t.Fatalf("after the causes were fixed: %d sent; want 2", sent)
	}
	check("after flush", 0)
}
