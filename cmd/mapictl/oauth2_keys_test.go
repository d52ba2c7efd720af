package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// identityFile parses the age identity file at path.
func identityFile(t *testing.T, path string) age.Identity {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil || len(ids) != 1 {
		t.Fatalf("identity file %s: %v", path, err)
	}
	return ids[0]
}

// A store with its own identity, a profile owned by another key used with
// MAPICTL_IDENTITY_FILE: the sign-in seals the token file to that key too
// (besides identity.pub), so the next fetch opens it (no 77), and so does
// every refresh after it.
func TestOAuth2ExternalIdentity(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil, oauthtest.AccessTokenLifetime(time.Second))
	base := &oauthStore{relStore: newRelStore(t), m: m, env: []string{"DISPLAY=", "WAYLAND_DISPLAY="}}
	base.ok("identity", "new")
	key := filepath.Join(base.home, "mine.key")
	base.ok("identity", "new", "--out", key)
	s := base.with("MAPICTL_IDENTITY_FILE=" + key)
	s.ok("profile", "create", "p", "--default")
	s.addSection("work")
	s.signInDevice("work")
	mine := identityFile(t, key)
	if _, ok := openTokenFile(t, s.tokenFile(), mine); !ok {
		t.Fatal("the identity in use does not open the token file its sign-in wrote")
	}
	r0 := m.p.RefreshCount()
	for i := range 3 { // access tokens live 1 s: each fetch refreshes and rewrites the file
		if err := appendTestMessages(m.imapUser, 1); err != nil {
			t.Fatal(err)
		}
		s.ok("message", "fetch")
		if _, ok := openTokenFile(t, s.tokenFile(), mine); !ok {
			t.Fatalf("fetch %d: the refreshed token file is sealed away from the identity in use", i+1)
		}
	}
	if m.p.RefreshCount()-r0 < 2 {
		t.Errorf("%d refreshes; want the fetches to refresh", m.p.RefreshCount()-r0)
	}
	if _, ok := openTokenFile(t, s.tokenFile(), base.storeIdentity()); !ok {
		t.Error("identity.pub's key no longer opens the token file")
	}
	if n := countFiles(s.maildir("work") + "/new"); n != 3 {
		t.Errorf("fetched %d; want 3", n)
	}
}

// oneSeedManifest is profile p with section work seeded from
// $CI_REFRESH_TOKEN.
const oneSeedManifest = `profile: p
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
`

// The review's repro 1: a sign-in keeps the seeds the token file started
// from. Seed S1, a session logs on (its snapshot holds S1), seed S2, a
// sign-in; a fetch under the session must not take S1 for a new seed and
// present its used refresh token (reuse: the grant revoked, 77 forever).
func TestOAuth2SignInKeepsSeeds(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil, oauthtest.AccessTokenLifetime(time.Second))
	s := &oauthStore{relStore: newRelStore(t), m: m, env: []string{"DISPLAY=", "WAYLAND_DISPLAY="}}
	man := strings.NewReplacer("{{user}}", m.user, "{{smtp}}", portString(m.smtpPort), "{{imap}}", portString(m.imapPort),
		"{{ca}}", m.ca, "{{dir}}", s.home, "{{issuer}}", m.p.Issuer,
		"{{client}}", m.p.ClientID, "{{token}}", m.tokenURL(), "{{device}}", m.deviceURL()).Replace(oneSeedManifest)
	path := filepath.Join(s.home, "p.yaml")
	if err := os.WriteFile(path, []byte(man), 0o600); err != nil {
		t.Fatal(err)
	}
	s.with("CI_REFRESH_TOKEN="+m.grant(t).RefreshToken).ok("profile", "apply", "-f", path)
	out, _ := s.ok("session", "logon", "-o", "json")
	var lo struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &lo); err != nil || lo.Token == "" {
		t.Fatalf("session logon: %v\n%s", err, out)
	}
	s.with("CI_REFRESH_TOKEN="+m.grant(t).RefreshToken).ok("profile", "apply", "-f", path)
	s.signInDevice("work")
	if err := appendTestMessages(m.imapUser, 1); err != nil {
		t.Fatal(err)
	}
	u := s.with("MAPICTL_SESSION=" + lo.Token)
	u.ok("message", "fetch")
	u.ok("message", "send", "--to", "bob@example.com", "--body", "under the session")
	s.ok("message", "fetch")
	if n := m.p.ReuseCount(); n != 0 {
		t.Errorf("ReuseCount %d; want 0 (a used seed presented again)", n)
	}
	if n := countFiles(filepath.Join(s.home, "work", "new")); n != 1 {
		t.Errorf("fetched %d; want 1", n)
	}
}
