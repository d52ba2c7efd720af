//go:build linux

package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// xdgOpenStub puts an xdg-open on s's PATH that records the URL it is
// given in the returned file, and sets DISPLAY.
func xdgOpenStub(t *testing.T, s *oauthStore) (*oauthStore, string) {
	t.Helper()
	bin := t.TempDir()
	opened := filepath.Join(bin, "opened")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + opened + ".tmp && mv " + opened + ".tmp " + opened + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return s.with("DISPLAY=:99", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")), opened
}

// onTerminal starts c with a pseudo-terminal as its stdin and stderr, and
// returns what it writes there and a channel with its exit status.
func onTerminal(t *testing.T, c *exec.Cmd) (*syncBuffer, <-chan int) {
	t.Helper()
	master, slave := ptyPair(t)
	shown := &syncBuffer{}
	go func() { _, _ = io.Copy(shown, master) }()
	c.Stdin, c.Stderr = slave, slave
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Process.Kill() })
	done := make(chan int, 1)
	go func() {
		err := c.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			done <- ee.ExitCode()
		case err != nil:
			done <- -1
		default:
			done <- 0
		}
	}()
	return shown, done
}

// With a display and a terminal on stdin and stderr, credential oauth2
// picks the browser: it prints the address and hands it to xdg-open (a
// stand-in here that records it).
func TestOAuth2BrowserDefaultOpens(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil)
	s := newOAuthStore(t, m, "work")
	u, opened := xdgOpenStub(t, s)
	c := u.cmd("credential", "oauth2", "work")
	shown, done := onTerminal(t, c)
	var authURL []byte
	if !waitFor(20*time.Second, func() bool { authURL, _ = os.ReadFile(opened); return len(authURL) > 0 }) {
		t.Fatalf("xdg-open was not run\n%s", shown.String())
	}
	redirect, err := m.p.Login(string(authURL))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(redirect)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("credential oauth2: exit %d\n%s", code, shown.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("credential oauth2 still running\n%s", shown.String())
	}
	if !strings.Contains(shown.String(), "To sign in, open "+string(authURL)) {
		t.Errorf("the address is not on stderr:\n%s", shown.String())
	}
	s.ok("message", "fetch")
}

// The device grant is the default whenever nobody may be at a browser:
// with a display but no terminal (CI under xvfb), or on a terminal with
// --no-input. Nobody signing in, the wait ends at the deadline with 77
// "sign-in not completed" and no token file (finding 7). An explicit
// --browser under --no-input is allowed, and ends the same way.
func TestOAuth2DialogChoiceAndDeadline(t *testing.T) {
	t.Parallel()
	m := newOAuthMail(t, 0, nil)
	s := newOAuthStore(t, m, "work")
	u, opened := xdgOpenStub(t, s)
	u = u.with("MAPICTL_TEST_SIGNIN_DEADLINE=1s")

	// A display, no terminal.
	u.exits(77, []string{"credential", "oauth2", "work"}, " and enter the code ", "sign-in not completed")

	// A display and a terminal, --no-input.
	shown, done := onTerminal(t, u.cmd("credential", "oauth2", "work", "--no-input"))
	select {
	case code := <-done:
		// The process has exited; what it wrote may still be on its way
		// through the pty to the copying goroutine.
		waitFor(5*time.Second, func() bool { return strings.Contains(shown.String(), "sign-in not completed") })
		if code != 77 || !strings.Contains(shown.String(), " and enter the code ") || !strings.Contains(shown.String(), "sign-in not completed") {
			t.Errorf("--no-input on a terminal: exit %d; want the device grant, then 77\n%s", code, shown.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("--no-input on a terminal: still waiting past the deadline\n%s", shown.String())
	}
	if _, err := os.Stat(opened); err == nil {
		t.Error("without a terminal or with --no-input, a browser was opened")
	}

	// --browser asked for under --no-input, no terminal.
	errs := u.exits(77, []string{"credential", "oauth2", "work", "--browser", "--no-input"}, "To sign in, open http", "sign-in not completed")
	if strings.Contains(errs, " and enter the code ") {
		t.Errorf("--browser: the device grant was run\n%s", errs)
	}
	if !waitFor(5*time.Second, func() bool { _, err := os.Stat(opened); return err == nil }) {
		t.Error("--browser with a display: xdg-open was not run")
	}
	if files := s.tokenFiles(); len(files) != 0 {
		t.Errorf("token files after sign-ins nobody completed: %q", files)
	}
}
