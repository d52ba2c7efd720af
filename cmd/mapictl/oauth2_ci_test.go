package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// ciManifest is a CI job's profile: section work (SMTP and IMAP) seeded
// with $CI_REFRESH_TOKEN, section pop (POP3 only, XOAUTH2) with
// $CI_POP_TOKEN; tokens are per grant, so each section has its own.
const ciManifest = `profile: ci
default: true
sections:
  - name: work
    props:
      email: {{user}}
      smtp.host: 127.0.0.1
      smtp.port: {{smtp}}
      smtp.ca-file: {{ca}}
      inbound: imap
      inbound.host: 127.0.0.1
      inbound.port: {{imap}}
      inbound.ca-file: {{ca}}
      inbound.maildir: {{dir}}/work
      oauth2.provider: custom
      oauth2.issuer: {{issuer}}
      oauth2.client-id: {{client}}
      oauth2.token-url: {{token}}
      oauth2.device-url: {{device}}
    credentials:
      oauth2.refresh-token: {env: CI_REFRESH_TOKEN}
  - name: pop
    transport: none
    props:
      email: {{user}}
      inbound: pop3
      inbound.host: 127.0.0.1
      inbound.port: {{pop3}}
      inbound.security: none
      inbound.allow-insecure-auth: true
      inbound.auth: xoauth2
      inbound.maildir: {{dir}}/pop
      oauth2.provider: custom
      oauth2.issuer: {{issuer}}
      oauth2.client-id: {{client}}
      oauth2.token-url: {{token}}
      oauth2.device-url: {{device}}
    credentials:
      oauth2.refresh-token: {env: CI_POP_TOKEN}
`

// A CI job provisioned with refresh tokens only (profile apply from CI
// secrets, no sign-in) sends and fetches over and over. Access tokens live
// 1 s here, under the minute before expiry at which mapictl refreshes, so
// every command refreshes its token, with rotation: each round stands for
// an hour of hourly tokens (sending and fetching for hours, simulated). Then a new seed in the secure range
// replaces the token file, and a sign-in after a seed is not undone by it.
func TestOAuth2SeedOnlyCI(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil, oauthtest.AccessTokenLifetime(time.Second))
	s := &oauthStore{relStore: newRelStore(t), m: m, env: []string{"DISPLAY=", "WAYLAND_DISPLAY="}}
	man := strings.NewReplacer("{{user}}", m.user, "{{smtp}}", portString(m.smtpPort), "{{imap}}", portString(m.imapPort),
		"{{pop3}}", portString(m.pop3Port), "{{ca}}", m.ca, "{{dir}}", s.home, "{{issuer}}", m.p.Issuer,
		"{{client}}", m.p.ClientID, "{{token}}", m.tokenURL(), "{{device}}", m.deviceURL()).Replace(ciManifest)
	path := filepath.Join(s.home, "ci.yaml")
	if err := os.WriteFile(path, []byte(man), 0o600); err != nil {
		t.Fatal(err)
	}
	ci := s.with("CI_REFRESH_TOKEN="+m.grant(t).RefreshToken, "CI_POP_TOKEN="+m.grant(t).RefreshToken, "MAPICTL_NO_INPUT=1")
	ci.ok("profile", "apply", "-f", path)

	const rounds = 6
	r0 := m.p.RefreshCount()
	for i := 1; i <= rounds; i++ {
		if err := appendTestMessages(m.imapUser, 1); err != nil {
			t.Fatal(err)
		}
		m.pop3.add(1)
		ci.ok("message", "send", "--to", "bob@example.com", "--subject", "round", "--body", "hi")
		ci.ok("message", "fetch")
	}
	if sent, _, refused := m.counts(); sent != rounds || refused != 0 {
		t.Errorf("sent %d, refused %d; want %d, 0", sent, refused, rounds)
	}
	for _, sec := range []string{"work", "pop"} {
		if n := countFiles(filepath.Join(s.home, sec, "new")); n != rounds {
			t.Errorf("%s fetched %d; want %d", sec, n, rounds)
		}
	}
	if got := m.p.RefreshCount() - r0; got < 3*rounds-2 {
		t.Errorf("%d refreshes over %d rounds; want one per command", got, rounds)
	}
	m.mu.Lock()
	pop := 0
	for _, l := range m.logons {
		if l == "pop3 XOAUTH2 "+m.user {
			pop++
		}
	}
	m.mu.Unlock()
	if pop != rounds {
		t.Errorf("%d POP3 XOAUTH2 logons; want %d", pop, rounds)
	}

	// The CI secret rotated: the new seed replaces the token file.
	files := s.tokenFiles()
	if len(files) != 2 {
		t.Fatalf("token files %q; want one per section", files)
	}
	before := map[string]tokenRecord{}
	for _, f := range files {
		before[f], _ = openTokenFile(t, f, s.storeIdentity())
	}
	ci = ci.with("CI_REFRESH_TOKEN=" + m.grant(t).RefreshToken)
	ci.ok("profile", "apply", "-f", path)
	ci.ok("message", "send", "--to", "bob@example.com", "--body", "after the new seed")
	changed := 0
	for _, f := range files {
		if rec, _ := openTokenFile(t, f, s.storeIdentity()); !slices.Equal(rec.Seeds, before[f].Seeds) {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("%d token files took a new seed; want 1 (work's)", changed)
	}

	// A sign-in with the seed in place: the seed does not replace it (that
	// would present the rotated-out seed again: reuse, the grant revoked).
	ci.signInDevice("work")
	ci.ok("message", "send", "--to", "bob@example.com", "--body", "after the sign-in")
	ci.ok("message", "fetch")
	if m.p.ReuseCount() != 0 {
		t.Errorf("ReuseCount %d; want 0", m.p.ReuseCount())
	}
}
