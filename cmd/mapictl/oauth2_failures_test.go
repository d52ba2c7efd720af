package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
}

// Two processes whose token expires refresh at once: both send, one
// refresh token is never presented twice (with reuse detection on, that
// would revoke the grant).
func TestOAuth2ConcurrentRefresh(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil, oauthtest.AccessTokenLifetime(time.Second))
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	var wg sync.WaitGroup
	codes := make([]int, 4)
	errs := make([]string, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, errs[i] = s.run("message", "send", "--to", "bob@example.com", "--body", "hi")
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("send %d: exit %d\n%s", i, c, errs[i])
		}
	}
	if sent, _, _ := m.counts(); sent != 4 {
		t.Errorf("sent %d; want 4", sent)
	}
	if m.p.ReuseCount() != 0 {
		t.Errorf("ReuseCount %d; want 0", m.p.ReuseCount())
	}
}
