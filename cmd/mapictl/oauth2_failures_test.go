package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// spoolStates counts the spool's messages by state (spool list -o json).
func (s *oauthStore) spoolStates() map[string]int {
	s.t.Helper()
	out, _ := s.ok("spool", "list", "-o", "json")
	var recs []struct {
		State string `json:"state"`
	}
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		s.t.Fatalf("spool list: %v\n%s", err, out)
	}
	n := map[string]int{}
	for _, r := range recs {
		n[r.State]++
	}
	return n
}

// The failures of a token's life, through message send with access tokens
// that live 2 s (so every send finds its token expiring: one refresh, then
// the send), a server that offers XOAUTH2 only:
//   - a server that refuses a valid token: refreshed once more, refused
//     again, 77 and the hint; the message stays in the spool;
//   - the provider down, or answering HTML: 75, the message queued;
//   - the grant revoked: 77 and the hint to sign in again, the message in
//     the spool;
//
// and no refresh token is ever presented twice.
func TestOAuth2Failures(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, []string{"XOAUTH2"}, oauthtest.AccessTokenLifetime(2*time.Second))
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	send := []string{"message", "send", "--to", "bob@example.com", "--body", "hi"}

	r0 := m.p.RefreshCount()
	s.ok(send...)
	if got := m.p.RefreshCount() - r0; got != 1 {
		t.Errorf("an expiring token: %d refreshes; want 1", got)
	}
	if sent, _, _ := m.counts(); sent != 1 {
		t.Fatalf("sent %d; want 1", sent)
	}
	m.mu.Lock()
	if l := m.logons[len(m.logons)-1]; l != "smtp XOAUTH2 "+m.user {
		t.Errorf("logon %q; want XOAUTH2", l)
	}
	m.mu.Unlock()

	m.refuse.Store(true)
	r0 = m.p.RefreshCount()
	s.exits(77, send, "the server refused the OAuth 2.0 token", "credential oauth2")
	if got := m.p.RefreshCount() - r0; got != 2 {
		t.Errorf("a refused token: %d refreshes; want 2 (expiring, then once after the refusal)", got)
	}
	s.exits(77, []string{"message", "fetch"}, "the server refused the OAuth 2.0 token", "mapictl credential oauth2 work")
	s.exits(77, []string{"session", "logon"}, "the server refused", "mapictl credential oauth2 work")
	m.refuse.Store(false)
	if n := s.spoolStates(); n["queued"]+n["failed"] != 1 {
		t.Errorf("spool after a refusal: %v; want the message kept", n)
	}

	m.p.SetDown(true)
	s.exits(75, send)
	m.p.SetDown(false)
	m.p.SetJunk("html")
	s.exits(75, send)
	m.p.SetJunk("")
	if n := s.spoolStates(); n["queued"] < 2 {
		t.Errorf("spool after the provider failed: %v; want 2 queued", n)
	}
	s.ok("spool", "retry", "--all")
	s.ok("spool", "flush")
	if sent, _, _ := m.counts(); sent != 4 {
		t.Errorf("sent %d after the flush; want 4", sent)
	}

	m.p.RevokeAll()
	s.exits(77, send, "mapictl credential oauth2 work")
	if n := s.spoolStates(); n["queued"]+n["failed"] != 1 {
		t.Errorf("spool after the revocation: %v; want the message kept", n)
	}
	// Signing in again cures it.
	s.signInDevice("work")
	s.ok("spool", "retry", "--all")
	s.ok("spool", "flush")
	if sent, _, _ := m.counts(); sent != 5 {
		t.Errorf("sent %d after signing in again; want 5", sent)
	}
	if m.p.ReuseCount() != 0 {
		t.Errorf("ReuseCount %d; want 0", m.p.ReuseCount())
	}
}

// A token is never presented to settings other than those it was issued
// for: a changed token URL gets no refresh token (77, no request made to
// it), a changed server gets no access token (77).
func TestOAuth2Binding(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 1, nil)
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	s.ok("message", "send", "--to", "bob@example.com", "--body", "hi")

	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer evil.Close()
	s.ok("section", "set", "work", "oauth2.token-url="+evil.URL+"/token")
	s.exits(77, []string{"message", "send", "--to", "bob@example.com", "--body", "hi"},
		"changed since its tokens were issued", "credential oauth2 work")
	s.exits(77, []string{"message", "fetch"}, "changed since its tokens were issued")
	if hits.Load() != 0 {
		t.Errorf("the changed token URL got %d requests", hits.Load())
	}
	s.ok("section", "set", "work", "oauth2.token-url="+m.tokenURL())
	s.ok("message", "send", "--to", "bob@example.com", "--body", "hi")

	s.ok("section", "set", "work", "smtp.host=localhost")
	_, before, refused := m.counts()
	s.exits(77, []string{"message", "send", "--to", "bob@example.com", "--body", "hi"}, "changed since its tokens were issued")
	if _, logons, r := m.counts(); logons != before || r != refused {
		t.Errorf("a changed host: %d logons, %d refused; want no token presented", logons-before, r-refused)
	}
	// A new sign-in binds the tokens to the new settings.
	s.signInDevice("work")
	s.ok("message", "send", "--to", "bob@example.com", "--body", "hi")
	if sent, _, _ := m.counts(); sent != 3 {
		t.Errorf("sent %d; want 3", sent)
	}

	// So does each TLS setting of either side: a token is not presented
	// with weaker (or other) checks than it was issued for, and the error
	// says MAPI_E_NO_ACCESS (SPEC §5).
	ca, err := os.ReadFile(m.ca)
	if err != nil {
		t.Fatal(err)
	}
	sameCA := filepath.Join(t.TempDir(), "same-ca.pem") // the same CA, another file
	if err := os.WriteFile(sameCA, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"smtp.ca-file=" + sameCA, "smtp.ca-file=" + m.ca},
		{"smtp.allow-insecure-auth=true", "smtp.allow-insecure-auth=false"},
		{"inbound.ca-file=" + sameCA, "inbound.ca-file=" + m.ca},
		{"inbound.allow-insecure-auth=true", "inbound.allow-insecure-auth=false"}} {
		s.ok("section", "set", "work", kv[0])
		_, before, refused := m.counts()
		s.exits(77, []string{"message", "send", "--to", "bob@example.com", "--body", "hi"}, "changed since its tokens were issued", "MAPI_E_NO_ACCESS")
		s.exits(77, []string{"message", "fetch"}, "changed since its tokens were issued", "MAPI_E_NO_ACCESS")
		if _, logons, r := m.counts(); logons != before || r != refused {
			t.Errorf("%s: %d logons, %d refused; want no token presented", kv[0], logons-before, r-refused)
		}
		s.ok("section", "set", "work", kv[1])
	}
	s.ok("message", "send", "--to", "bob@example.com", "--body", "hi")
}

// Processes whose token expires refresh at once: each logs on (session
// logon verifies AUTH with the token, refreshing it first: 1 s tokens
// always need it), and a refresh token is never presented twice (with
// reuse detection on, that would revoke the grant). Logons rather than
// sends: parallel `message send` can still defer a message for reasons of
// the spool's own (issue 29), which is not what this test is about.
func TestOAuth2ConcurrentRefresh(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil, oauthtest.AccessTokenLifetime(time.Second))
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	_, before, _ := m.counts()
	var wg sync.WaitGroup
	codes := make([]int, 4)
	errs := make([]string, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, errs[i] = s.run("session", "logon", "--section", "work", "-o", "json")
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("logon %d: exit %d\n%s", i, c, errs[i])
		}
	}
	// Each logon verifies both sides of the section (SMTP and IMAP).
	if _, logons, _ := m.counts(); logons-before != 8 {
		t.Errorf("%d logons at the servers; want 8 (4 × SMTP and IMAP)", logons-before)
	}
	if m.p.ReuseCount() != 0 || m.p.RefreshCount() < 1 {
		t.Errorf("ReuseCount %d, RefreshCount %d; want 0 and at least 1", m.p.ReuseCount(), m.p.RefreshCount())
	}
}

// A session's key opens the token files of its own profile's sections
// only (findings 1, 2, 3): signing in to another profile's section while
// it lives seals that file without it, its logoff leaves no file it
// opens, and once it expires the next look at the sessions (session list)
// re-seals its files without it.
func TestOAuth2SessionKeyScope(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil)
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	mine := s.tokenFile()
	s.ok("profile", "create", "q")
	s.addSectionIn("q", "o")
	s.signInDevice("o", "-p", "q")
	var theirs string
	for _, f := range s.tokenFiles() {
		if f != mine {
			theirs = f
		}
	}

	logon := func(args ...string) (string, age.Identity) {
		t.Helper()
		out, _ := s.ok(append([]string{"session", "logon", "-o", "json"}, args...)...)
		var lo struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal([]byte(out), &lo); err != nil || lo.Token == "" {
			t.Fatalf("session logon: %v\n%s", err, out)
		}
		return lo.Token, sessionKey(t, lo.Token)
	}
	tok, key := logon("--ttl", "1h")
	s.signInDevice("o", "-p", "q") // written while p's session lives
	if _, ok := openTokenFile(t, mine, key); !ok {
		t.Fatal("the session's key does not open its own section's token file")
	}
	if _, ok := openTokenFile(t, theirs, key); ok {
		t.Error("the session of profile p opens profile q's token file")
	}
	u := s.with("MAPICTL_SESSION=" + tok)
	u.ok("session", "logoff")
	for _, f := range s.tokenFiles() {
		if _, ok := openTokenFile(t, f, key); ok {
			t.Errorf("after logoff the session's key opens %s", f)
		}
	}

	// Expiry: a test clock past the session's end; session list sweeps it
	// and re-seals its token file with the store's identity.
	_, key = logon("--ttl", "1h")
	if _, ok := openTokenFile(t, mine, key); !ok {
		t.Fatal("the second session's key does not open its section's token file")
	}
	later := s.with("MAPICTL_TEST_NOW=" + time.Now().Add(2*time.Hour).UTC().Format(time.RFC3339))
	if out, _ := later.ok("session", "list", "-o", "json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("session list after expiry: %s", out)
	}
	if _, ok := openTokenFile(t, mine, key); ok {
		t.Error("an expired session's key still opens its token file after the sweep")
	}
	if _, ok := openTokenFile(t, mine, s.storeIdentity()); !ok {
		t.Error("the store identity no longer opens the token file")
	}
	s.ok("message", "fetch")
}
