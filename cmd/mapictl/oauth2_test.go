package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// Issue 28 (SPEC §8, story 6): OAuth 2.0 end to end through the mapictl
// binary, against the real OpenID provider of internal/oauthtest and mail
// servers that check each token with it (oauth2_servers_test.go).

// countFiles is how many files dir holds.
func countFiles(dir string) int {
	ents, _ := os.ReadDir(dir)
	return len(ents)
}

// with is s with more environment (a session, say).
func (s *oauthStore) with(env ...string) *oauthStore {
	c := *s
	c.env = append(append([]string(nil), s.env...), env...)
	return &c
}

// Sign-in with the device grant, then every command that needs a token:
// send, fetch, logon, and under the session send, fetch, flush and
// sendmail. Before the sign-in there is nothing to log on with (78, the
// hint names the command), and the sign-in writes the store's token file,
// never the profile. A copied profile has its own token file: none yet.
func TestOAuth2DeviceSignIn(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 2, nil)
	s := newOAuthStore(t, m, "work")
	s.exits(78, []string{"message", "send", "--to", "bob@example.com", "--subject", "early", "--body", "hi"},
		`no OAuth 2.0 tokens for section "work"`, "mapictl credential oauth2 work")

	prof := filepath.Join(s.dir, "profiles", "p.age")
	before, _ := os.ReadFile(prof)
	out, errs := s.signInDevice("work", "--device")
	if want := "signed in as " + m.user + "; tokens kept in this store (" + filepath.Join(s.dir, "oauth") + "), not in the profile\n"; out != want {
		t.Errorf("credential oauth2 stdout %q; want %q", out, want)
	}
	if !strings.Contains(errs, "To sign in, open "+m.p.Issuer) {
		t.Errorf("credential oauth2 stderr: %q", errs)
	}
	if after, _ := os.ReadFile(prof); !bytes.Equal(before, after) {
		t.Error("credential oauth2 wrote the profile")
	}
	file := s.tokenFile()
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(filepath.Dir(file)); fi.Mode().Perm() != 0o700 {
		t.Errorf("token dir mode %v", fi.Mode())
	}
	if _, ok := openTokenFile(t, file, s.storeIdentity()); !ok {
		t.Fatal("the store identity does not open the token file")
	}

	s.ok("message", "send", "--to", "bob@example.com", "--subject", "one", "--body", "hi")
	s.ok("message", "fetch")
	if n := countFiles(filepath.Join(s.maildir("work"), "new")); n != 2 {
		t.Errorf("fetched %d messages; want 2", n)
	}
	// The message sent before the sign-in waits in the spool (failed: it
	// had nothing to log on with); once retried, a flush sends it.
	s.ok("spool", "retry", "--all")
	s.ok("spool", "flush")
	if sent, _, refused := m.counts(); sent != 2 || refused != 0 {
		t.Errorf("sent %d, refused %d; want 2, 0", sent, refused)
	}
	m.mu.Lock()
	first := m.logons[0]
	m.mu.Unlock()
	if first != "smtp OAUTHBEARER "+m.user {
		t.Errorf("first logon %q; want OAUTHBEARER as %s", first, m.user)
	}

	// A session: logon verifies with the token, the session's key then opens
	// the token file, commands under the session use it.
	out, _ = s.ok("session", "logon", "-o", "json")
	var lo struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &lo); err != nil || lo.Token == "" {
		t.Fatalf("session logon: %v\n%s", err, out)
	}
	key := sessionKey(t, lo.Token)
	if _, ok := openTokenFile(t, file, key); !ok {
		t.Fatal("the session's key does not open the token file after logon")
	}
	u := s.with("MAPICTL_SESSION=" + lo.Token)
	u.ok("message", "send", "--to", "bob@example.com", "--subject", "two", "--body", "hi")
	u.ok("message", "send", "--queue", "--to", "bob@example.com", "--subject", "three", "--body", "hi")
	u.ok("spool", "flush")
	if err := appendTestMessages(m.imapUser, 1); err != nil {
		t.Fatal(err)
	}
	u.ok("message", "fetch")
	if n := countFiles(filepath.Join(s.maildir("work"), "new")); n != 3 {
		t.Errorf("fetched %d messages under the session; want 3", n)
	}
	sm := exec.Command("sendmail", "-t")
	sm.Env = u.relStore.env(u.env...)
	sm.Stdin = strings.NewReader("To: bob@example.com\nSubject: four\n\nhi\n")
	if b, err := sm.CombinedOutput(); err != nil {
		t.Fatalf("sendmail: %v\n%s", err, b)
	}
	if sent, _, _ := m.counts(); sent != 5 {
		t.Errorf("sent %d; want 5", sent)
	}

	// Logoff re-seals the file without the session's key.
	u.ok("session", "logoff")
	if _, ok := openTokenFile(t, file, key); ok {
		t.Error("a logged-off session's key still opens the token file")
	}
	if _, ok := openTokenFile(t, file, s.storeIdentity()); !ok {
		t.Error("the store identity no longer opens the token file")
	}
	s.ok("message", "send", "--to", "bob@example.com", "--subject", "five", "--body", "hi")

	// Logged off by ID, without its token: re-sealed with the store identity.
	out, _ = s.ok("session", "logon", "-o", "json")
	if err := json.Unmarshal([]byte(out), &lo); err != nil {
		t.Fatal(err)
	}
	key = sessionKey(t, lo.Token)
	if _, ok := openTokenFile(t, file, key); !ok {
		t.Fatal("the second session's key does not open the token file")
	}
	id, _, _ := strings.Cut(lo.Token, ".")
	s.ok("session", "logoff", id)
	if _, ok := openTokenFile(t, file, key); ok {
		t.Error("a session logged off by ID still opens the token file")
	}

	// A copied profile has a new uid, so its own (missing) token file.
	s.ok("profile", "copy", "p", "q")
	s.exits(78, []string{"-p", "q", "message", "send", "--to", "bob@example.com", "--body", "hi"},
		`no OAuth 2.0 tokens for section "work"`)
	if n := len(s.tokenFiles()); n != 1 {
		t.Errorf("%d token files after the copy's send; want 1", n)
	}
	if m.p.ReuseCount() != 0 {
		t.Errorf("ReuseCount %d", m.p.ReuseCount())
	}

	// credential delete undoes the sign-in: this store's token file goes.
	if out, _ := s.ok("credential", "delete", "work"); out != "deleted the OAuth 2.0 tokens of section work in this store\n" {
		t.Errorf("credential delete: %q", out)
	}
	if n := len(s.tokenFiles()); n != 0 {
		t.Errorf("%d token files after credential delete", n)
	}
	s.exits(78, []string{"message", "send", "--to", "bob@example.com", "--body", "hi"}, "no OAuth 2.0 tokens")
}

// signInBrowser runs `credential oauth2 SECTION --browser` (more args
// after it), logs in at the address it prints as the user would, GETs the
// provider's redirect as the browser would, and returns its stdout, its
// stderr and the authorization code that came back.
func (s *oauthStore) signInBrowser(section string, args ...string) (string, string, string) {
	s.t.Helper()
	c := s.cmd(append([]string{"credential", "oauth2", section, "--browser"}, args...)...)
	var out, errb bytes.Buffer
	pr, pw := io.Pipe()
	c.Stdout, c.Stderr = &out, io.MultiWriter(pw, &errb)
	if err := c.Start(); err != nil {
		s.t.Fatal(err)
	}
	authURL := waitStderr(s.t, pr, "To sign in, open ", 20*time.Second)
	redirect, err := s.m.p.Login(authURL)
	if err != nil {
		s.t.Fatalf("login at %s: %v", authURL, err)
	}
	ru, err := url.Parse(redirect)
	if err != nil || ru.Hostname() != "127.0.0.1" {
		s.t.Fatalf("redirect %q: %v", redirect, err)
	}
	resp, err := http.Get(redirect)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	err = c.Wait()
	pw.Close()
	if err != nil {
		s.t.Fatalf("credential oauth2 --browser: %v\n%s%s", err, out.String(), errb.String())
	}
	return out.String(), errb.String(), ru.Query().Get("code")
}

// Sign-in in a browser: the address goes to stderr, the provider's login
// redirects to mapictl's loopback listener (a plain GET here, as the
// browser would), and the tokens are stored.
func TestOAuth2BrowserSignIn(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil)
	s := newOAuthStore(t, m, "work")
	out, errs, code := s.signInBrowser("work")
	if !strings.HasPrefix(out, "signed in as "+m.user+"; ") {
		t.Errorf("stdout %q", out)
	}
	if !strings.Contains(errs, "To sign in, open "+m.p.AuthURL()+"?") {
		t.Errorf("stderr %q", errs)
	}
	if code == "" {
		t.Error("no authorization code came back")
	}
	s.ok("message", "send", "--to", "bob@example.com", "--body", "hi")
}

// Secret hygiene (issue 7's test, secret_hygiene.txtar, carried over to
// issue 28): every secret of the OAuth 2.0 flows that crossed the provider's
// token and device endpoints (device codes, the authorization code and
// PKCE verifier of the browser sign-in, access, refresh and ID tokens, a
// seed refresh token) is in no output of any command (stdout, stderr, the
// -v SMTP and IMAP transcripts, -o json errors) and in no file in the
// clear: the store (spool, sessions, inbound journals; the token files and
// the profile are age), the Maildir, $HOME.
func TestOAuth2SecretHygiene(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 2, nil, oauthtest.AccessTokenLifetime(2*time.Second))
	s := newOAuthStore(t, m, "work")
	var outs []string
	keep := func(o ...string) { outs = append(outs, o...) }
	run := func(s *oauthStore, args ...string) {
		_, o, e := s.run(args...)
		keep(o, e)
	}
	keep(s.signInDevice("work", "-v"))
	o, e, _ := s.signInBrowser("work", "-v")
	keep(o, e)
	run(s, "-v", "message", "send", "--to", "bob@example.com", "--body", "one")
	run(s, "-v", "message", "fetch")
	// A seed in the secure range (read from stdin), then used.
	seed := m.grant(t).RefreshToken
	c := s.cmd("-v", "credential", "set", "work", "--field", "oauth2.refresh-token", "--password-stdin")
	c.Stdin = strings.NewReader(seed + "\n")
	b, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("credential set: %v\n%s", err, b)
	}
	keep(string(b))
	run(s, "-v", "message", "send", "--to", "bob@example.com", "--body", "two")
	run(s, "-v", "credential", "get", "work", "-o", "json")
	run(s, "-v", "section", "open", "work")

	out, errs := s.ok("-v", "session", "logon", "-o", "json")
	keep(errs)
	var lo struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out), &lo); err != nil {
		t.Fatal(err)
	}
	u := s.with("MAPICTL_SESSION=" + lo.Token)
	run(u, "-v", "message", "send", "--to", "bob@example.com", "--body", "three")
	run(u, "-v", "message", "send", "--queue", "--to", "bob@example.com", "--body", "four")
	run(u, "-v", "spool", "flush")
	run(u, "-v", "message", "fetch")
	run(u, "-v", "session", "list", "-o", "json")
	run(u, "-v", "spool", "list", "-o", "json")
	m.refuse.Store(true)
	run(u, "-v", "message", "send", "--to", "bob@example.com", "--body", "refused")
	run(u, "-v", "-o", "json", "message", "fetch")
	m.refuse.Store(false)
	m.p.RevokeAll()
	run(s, "-v", "message", "send", "--to", "bob@example.com", "--body", "revoked")
	run(s, "-v", "-o", "json", "message", "send", "--to", "bob@example.com", "--body", "revoked")
	run(u, "-v", "session", "logoff")

	secrets, kinds := m.allSecrets()
	// The secrets seen are those mapictl holds: the token file's are among them.
	if rec, ok := openTokenFile(t, s.tokenFile(), s.storeIdentity()); !ok || !slices.Contains(secrets, rec.RefreshToken) {
		t.Fatal("the token file's refresh token did not cross the proxy")
	}
	for _, k := range []string{"device_code", "code", "code_verifier", "access_token", "refresh_token"} {
		if kinds[k] == 0 {
			t.Errorf("no %s crossed the provider's endpoints: the test does not see them", k)
		}
	}
	if sent, _, _ := m.counts(); sent != 4 {
		t.Errorf("sent %d; want 4", sent)
	}
	all := strings.Join(outs, "\n")
	for _, sec := range append(secrets, seed) {
		if strings.Contains(all, sec) {
			t.Errorf("a secret (%d bytes) is in the output", len(sec))
		}
		for _, dir := range []string{s.dir, s.home} {
			assertNotInFiles(t, dir, sec)
		}
	}
}

// assertNotInFiles fails t if any file under dir holds secret.
func assertNotInFiles(t *testing.T, dir, secret string) {
	t.Helper()
	if secret == "" {
		t.Fatal("empty secret")
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
			t.Errorf("a secret is in %s", p)
		}
		return nil
	})
}

// A reader of a shared section signs in on their own, in their own store:
// credential oauth2 only reads the profile (which a reader may not write),
// and neither store's identity opens the other's tokens.
func TestOAuth2ReaderSignsIn(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil)
	owner := newOAuthStore(t, m, "work")
	reader := &oauthStore{relStore: newRelStore(t), m: m, env: owner.env}
	reader.ok("identity", "new")
	rcpt, _ := reader.ok("identity", "show")
	owner.ok("section", "share", "work", "--recipient", strings.TrimSpace(rcpt))
	owner.signInDevice("work")

	out, _ := reader.ok("profile", "add", filepath.Join(owner.dir, "profiles", "p.age"), "-o", "json")
	var added struct {
		Fingerprint string `json:"key_fingerprint"`
	}
	if err := json.Unmarshal([]byte(out), &added); err != nil {
		t.Fatal(err)
	}
	reader.ok("profile", "accept", "p", "--key", added.Fingerprint, "--yes")
	reader.ok("profile", "default", "p")
	prof := filepath.Join(reader.dir, "profiles", "p.age")
	before, _ := os.ReadFile(prof)
	reader.signInDevice("work")
	if after, _ := os.ReadFile(prof); !bytes.Equal(before, after) {
		t.Error("a reader's credential oauth2 wrote the profile")
	}
	reader.ok("message", "send", "--to", "bob@example.com", "--body", "from the reader")
	owner.ok("message", "send", "--to", "bob@example.com", "--body", "from the owner")
	if _, ok := openTokenFile(t, owner.tokenFile(), reader.storeIdentity()); ok {
		t.Error("the reader's identity opens the owner's tokens")
	}
	if _, ok := openTokenFile(t, reader.tokenFile(), owner.storeIdentity()); ok {
		t.Error("the owner's identity opens the reader's tokens")
	}
}
