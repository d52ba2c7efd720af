package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"
)

// oauthStore is a private store whose profile p has one OAuth 2.0 section
// against m's provider and servers.
type oauthStore struct {
	*relStore
	m   *oauthMail
	env []string // extra environment of every mapictl process
}

// newOAuthStore makes a store with profile p (default) and section name
// logging on with OAuth 2.0 (provider custom, discovery at the issuer but
// the token and device endpoints through m's recording proxy, public
// client): SMTP with STARTTLS, IMAP over TLS into dir/Maildir;
// extra are more --set assignments.
func newOAuthStore(t *testing.T, m *oauthMail, name string, extra ...string) *oauthStore {
	t.Helper()
	s := &oauthStore{relStore: newRelStore(t), m: m, env: []string{"DISPLAY=", "WAYLAND_DISPLAY="}}
	s.must("profile", "create", "p", "--default")
	s.addSection(name, extra...)
	return s
}

// addSection adds OAuth 2.0 section name to profile p.
func (s *oauthStore) addSection(name string, extra ...string) {
	s.t.Helper()
	s.addSectionIn("p", name, extra...)
}

// addSectionIn adds OAuth 2.0 section name to profile prof (with s.env).
func (s *oauthStore) addSectionIn(prof, name string, extra ...string) {
	s.t.Helper()
	args := []string{"-p", prof, "section", "create", name, "--transport", "smtp", "--inbound", "imap"}
	for _, kv := range append([]string{
		"smtp.host=127.0.0.1", "smtp.port=" + portString(s.m.smtpPort), "smtp.ca-file=" + s.m.ca,
		"email=" + s.m.user,
		"inbound.host=127.0.0.1", "inbound.port=" + portString(s.m.imapPort), "inbound.ca-file=" + s.m.ca,
		"inbound.maildir=" + s.maildir(name),
		"oauth2.provider=custom", "oauth2.issuer=" + s.m.p.Issuer, "oauth2.client-id=" + s.m.p.ClientID,
		"oauth2.token-url=" + s.m.tokenURL(), "oauth2.device-url=" + s.m.deviceURL(),
	}, extra...) {
		args = append(args, "--set", kv)
	}
	s.ok(args...)
}

// maildir is where section name delivers fetched mail.
func (s *oauthStore) maildir(name string) string { return filepath.Join(s.home, "Maildir-"+name) }

// cmd is mapictl ARGS as a process with s.env (no display: no browser is
// ever started).
func (s *oauthStore) cmd(args ...string) *exec.Cmd {
	c := exec.Command("mapictl", args...)
	c.Env = s.relStore.env(s.env...)
	return c
}

// run runs mapictl ARGS and returns its exit status and output.
func (s *oauthStore) run(args ...string) (int, string, string) {
	s.t.Helper()
	c := s.cmd(args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		s.t.Fatalf("mapictl %v: %v", args, err)
	}
	return 0, out.String(), errb.String()
}

// ok runs mapictl ARGS, fails the test unless it exits 0, and returns its
// stdout and stderr.
func (s *oauthStore) ok(args ...string) (string, string) {
	s.t.Helper()
	code, out, errs := s.run(args...)
	if code != 0 {
		s.t.Fatalf("mapictl %v: exit %d\n%s%s", args, code, out, errs)
	}
	return out, errs
}

// exits runs mapictl ARGS and fails the test unless it exits want and its
// stderr holds each of says; it returns the stderr.
func (s *oauthStore) exits(want int, args []string, says ...string) string {
	s.t.Helper()
	code, out, errs := s.run(args...)
	if code != want {
		s.t.Fatalf("mapictl %v: exit %d, want %d\n%s%s", args, code, want, out, errs)
	}
	for _, w := range says {
		if !strings.Contains(errs, w) {
			s.t.Errorf("mapictl %v: stderr lacks %q:\n%s", args, w, errs)
		}
	}
	return errs
}

// signInDevice runs `credential oauth2 SECTION --device` (args after the
// section), approves the code it prints on stderr as the user would, and
// returns its stdout and stderr.
func (s *oauthStore) signInDevice(section string, args ...string) (string, string) {
	s.t.Helper()
	c := s.cmd(append([]string{"credential", "oauth2", section}, args...)...)
	var out bytes.Buffer
	c.Stdout = &out
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	c.Stderr = io.MultiWriter(pw, &errb)
	if err := c.Start(); err != nil {
		s.t.Fatal(err)
	}
	rest := waitStderr(s.t, pr, "To sign in, open ", 20*time.Second)
	uri, code, ok := strings.Cut(rest, " and enter the code ")
	if !ok || uri == "" || code == "" {
		s.t.Fatalf("device prompt: %q", rest)
	}
	if err := s.m.p.ApproveDevice(code); err != nil {
		s.t.Fatalf("approve %s: %v", code, err)
	}
	err := c.Wait()
	pw.Close()
	if err != nil {
		s.t.Fatalf("credential oauth2 %s: %v\n%s%s", section, err, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// tokenFiles are the store's OAuth 2.0 token files.
func (s *oauthStore) tokenFiles() []string {
	fs, _ := filepath.Glob(filepath.Join(s.dir, "oauth", "*.age"))
	return fs
}

// tokenFile is the store's one token file; it fails the test unless there
// is exactly one.
func (s *oauthStore) tokenFile() string {
	s.t.Helper()
	fs := s.tokenFiles()
	if len(fs) != 1 {
		s.t.Fatalf("token files: %q; want one", fs)
	}
	return fs[0]
}

// storeIdentity is the store's identity (identity.txt, unencrypted).
func (s *oauthStore) storeIdentity() age.Identity {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "identity.txt"))
	if err != nil {
		s.t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err != nil {
		s.t.Fatal(err)
	}
	return ids[0]
}

// tokenRecord is a token file's plaintext, as SPEC §8's token file rules
// give it.
type tokenRecord struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	Binding      string   `json:"binding"`
	Seeds        []string `json:"seeds"` // digests of the seeds it started from
}

// openTokenFile opens path with id using filippo.io/age directly,
// independently of mapictl's code; ok false when id cannot open it.
func openTokenFile(t *testing.T, path string, id age.Identity) (tokenRecord, bool) {
	t.Helper()
	ct, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(ct), id)
	if err != nil {
		return tokenRecord{}, false
	}
	pt, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var rec tokenRecord
	if err := json.Unmarshal(pt, &rec); err != nil {
		t.Fatalf("token file: %v", err)
	}
	return rec, true
}

// sessionKey is the age identity of session token tok ("ID.AGE-SECRET-KEY-…").
func sessionKey(t *testing.T, tok string) age.Identity {
	t.Helper()
	_, key, _ := strings.Cut(strings.TrimSpace(tok), ".")
	id, err := age.ParseX25519Identity(key)
	if err != nil {
		t.Fatalf("session token: %v", err)
	}
	return id
}

// grant runs the device grant against m's provider with golang.org/x/oauth2
// (not mapictl) and returns the tokens: what a CI secret holds.
func (m *oauthMail) grant(t *testing.T) *oauth2.Token {
	t.Helper()
	tok, err := m.grantToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// grantToken is grant's work; the tokens' secrets are recorded as those
// that crossed the proxy are.
func (m *oauthMail) grantToken() (*oauth2.Token, error) {
	cfg := &oauth2.Config{ClientID: m.p.ClientID, Scopes: []string{"openid", "offline_access"},
		Endpoint: oauth2.Endpoint{TokenURL: m.p.TokenURL(), DeviceAuthURL: m.p.DeviceURL()}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.p.ApproveDevice(da.UserCode); err != nil {
		return nil, err
	}
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("device grant: no refresh token")
	}
	m.addSecret("device_code", da.DeviceCode)
	m.addSecret("access_token", tok.AccessToken)
	m.addSecret("refresh_token", tok.RefreshToken)
	return tok, nil
}

// waitStderr reads r line by line until one matches want (a prefix
// followed by the rest), returning the rest; it fails t after d.
func waitStderr(t *testing.T, r io.Reader, prefix string, d time.Duration) string {
	t.Helper()
	got := make(chan string, 1)
	var seen bytes.Buffer
	go func() {
		buf := make([]byte, 1)
		var line []byte
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if buf[0] == '\n' {
					seen.Write(append(line, '\n'))
					if rest, ok := strings.CutPrefix(string(line), prefix); ok {
						got <- rest
						io.Copy(io.Discard, r)
						return
					}
					line = line[:0]
				} else {
					line = append(line, buf[0])
				}
			}
			if err != nil {
				close(got)
				return
			}
		}
	}()
	select {
	case s, ok := <-got:
		if !ok {
			t.Fatalf("stderr ended before %q:\n%s", prefix, seen.String())
		}
		return s
	case <-time.After(d):
		t.Fatalf("no %q on stderr within %v", prefix, d)
	}
	return ""
}

// portString is p for a command line.
func portString(p int) string { return strconv.Itoa(p) }
