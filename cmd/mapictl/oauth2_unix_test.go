//go:build unix

package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// credential oauth2 picks the device grant without a display: it prints
// the URL and code and waits, and Ctrl-C (SIGINT) ends the wait with 130.
func TestOAuth2DeviceDefaultInterrupt(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil)
	s := newOAuthStore(t, m, "work")
	c := s.cmd("credential", "oauth2", "work")
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	c.Stderr = io.MultiWriter(pw, &errb)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if rest := waitStderr(t, pr, "To sign in, open ", 20*time.Second); !strings.Contains(rest, " and enter the code ") {
		t.Fatalf("no display: not the device grant: %q", rest)
	}
	if err := c.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := c.Wait()
	pw.Close()
	if c.ProcessState.ExitCode() != 130 {
		t.Fatalf("after SIGINT: %v, exit %d\n%s", err, c.ProcessState.ExitCode(), errb.String())
	}
	if len(s.tokenFiles()) != 0 {
		t.Error("a cancelled sign-in wrote a token file")
	}
}

// spool watch on an OAuth 2.0 account: its IDLE ends before the token
// expires and it logs on again at once on a new connection with a fresh
// token (access tokens live 4 s here: at the latest halfway through one),
// so it keeps fetching; SIGTERM still ends it with 0.
func TestOAuth2WatchRenews(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 1, nil, oauthtest.AccessTokenLifetime(4*time.Second))
	s := newOAuthStore(t, m, "work")
	s.signInDevice("work")
	w := startWatch(t, s.cmd("spool", "watch", "--interval", "1h"))
	imapLogons := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		n := 0
		for _, l := range m.logons {
			if strings.HasPrefix(l, "imap ") {
				n++
			}
		}
		return n
	}
	newDir := filepath.Join(s.maildir("work"), "new")
	if !waitFor(20*time.Second, func() bool { return countFiles(newDir) == 1 }) {
		t.Fatalf("the first pass delivered nothing\n%s", w.errb.String())
	}
	if !waitFor(15*time.Second, func() bool { return imapLogons() >= 4 }) {
		t.Fatalf("%d logons in 15 s; want a new one before each token expires\n%s", imapLogons(), w.errb.String())
	}
	if err := appendTestMessages(m.imapUser, 1); err != nil {
		t.Fatal(err)
	}
	if !waitFor(5*time.Second, func() bool { return countFiles(newDir) == 2 }) {
		t.Fatalf("new mail not fetched after the renewals\n%s", w.errb.String())
	}
	w.stop(t, 10*time.Second)
	if _, _, refused := m.counts(); refused != 0 || m.p.ReuseCount() != 0 || strings.Contains(w.errb.String(), "retrying") {
		t.Errorf("refused %d, ReuseCount %d\n%s", refused, m.p.ReuseCount(), w.errb.String())
	}
}
