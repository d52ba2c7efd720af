//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// mute is a TCP server that accepts connections and never says a word: a
// client waits for its greeting until its own timeout, or its context.
type mute struct {
	l        net.Listener
	accepted chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
}

func newMute(t *testing.T) *mute {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mute{l: l, accepted: make(chan struct{}, 16)}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			m.mu.Lock()
			m.conns = append(m.conns, c)
			m.mu.Unlock()
			m.accepted <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		l.Close()
		m.mu.Lock()
		for _, c := range m.conns {
			c.Close()
		}
		m.mu.Unlock()
	})
	return m
}

func (m *mute) port() int { return m.l.Addr().(*net.TCPAddr).Port }

// signalled starts c, sends sig once the server has its connection, and
// returns the exit status, stdout, stderr and how long the process took to
// end after the signal.
func signalled(t *testing.T, c *exec.Cmd, m *mute, sig syscall.Signal) (int, string, string, time.Duration) {
	t.Helper()
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.accepted:
	case <-time.After(20 * time.Second):
		_ = c.Process.Kill()
		_ = c.Wait()
		t.Fatalf("never connected:\n%s%s", out.String(), errb.String())
	}
	start := time.Now()
	if err := c.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("still running 10s after %v:\n%s%s", sig, out.String(), errb.String())
	}
	took := time.Since(start)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("ended by %v (the signal's default action), not by an exit code:\n%s", ws.Signal(), errb.String())
		}
		return ee.ExitCode(), out.String(), errb.String(), took
	case err != nil:
		t.Fatal(err)
	}
	return 0, out.String(), errb.String(), took
}

// TestSignalStopsDelivery (issue 26, "Long-running work"): SIGINT or
// SIGTERM while the server accepted TCP and never answers ends `spool
// flush`, `message send` and sendmail within 2 seconds with exit 75 (the
// transport's own timeout is 30s); the message stays queued, its record
// untouched (no attempt counted). Under -o json stderr's last line is the
// error object.
func TestSignalStopsDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	cases := []struct {
		name  string
		sig   syscall.Signal
		queue bool // queue first, then run args
		args  []string
		stdin string
	}{
		{"flush/SIGINT", syscall.SIGINT, true, []string{"spool", "flush"}, ""},
		{"flush/SIGTERM/json", syscall.SIGTERM, true, []string{"spool", "flush", "-o", "json"}, ""},
		{"send/SIGINT", syscall.SIGINT, false, []string{"message", "send", "--to", "dana@example.com", "--body", "b"}, ""},
		{"sendmail/SIGTERM", syscall.SIGTERM, false, []string{"sendmail", "dana@example.com"},
			"From: me@example.com\r\nSubject: s\r\n\r\nbody\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMute(t)
			s := newRelStore(t)
			s.must("profile", "create", "p", "--default")
			s.must("section", "create", "mx", "--transport", "smtp", "--set", "smtp.host=127.0.0.1",
				"--set", "smtp.port="+itoa(m.port()), "--set", "smtp.security=none", "--set", "smtp.auth=none",
				"--set", "timeout=30", "--set", "email=me@example.com")
			if tc.queue {
				s.must("message", "send", "--queue", "--to", "dana@example.com", "--body", "b")
			}
			var c *exec.Cmd
			if tc.args[0] == "sendmail" {
				c = exec.Command("sendmail", tc.args[1:]...)
				c.Env = s.env()
			} else {
				c = s.cmd(tc.args...)
			}
			c.Stdin = strings.NewReader(tc.stdin)
			code, out, errs, took := signalled(t, c, m, tc.sig)
			t.Logf("exit %d after %v\nstdout: %s\nstderr: %s", code, took, out, errs)
			if code != 75 {
				t.Errorf("exit %d; want 75\nstdout: %s\nstderr: %s", code, out, errs)
			}
			if took > 2*time.Second {
				t.Errorf("ended %v after the signal; want within 2s", took)
			}
			if !strings.Contains(errs, "stays queued") {
				t.Errorf("stderr does not say the message stays queued:\n%s", errs)
			}
			if strings.Contains(strings.Join(tc.args, " "), "-o json") {
				lines := strings.Split(strings.TrimSpace(errs), "\n")
				var e struct {
					Error struct {
						Code string `json:"code"`
						Exit int    `json:"exit"`
					} `json:"error"`
				}
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil || e.Error.Exit != 75 || e.Error.Code != "MAPI_E_NETWORK_ERROR" {
					t.Errorf("last stderr line %q: want the error object, exit 75 (%v)", lines[len(lines)-1], err)
				}
				var sum flushJSON
				if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Queued != 1 {
					t.Errorf("stdout %q: want the flush summary with 1 queued (%v)", out, err)
				}
			}
			var list []struct {
				State    string `json:"state"`
				Attempts int    `json:"attempts"`
			}
			if err := json.Unmarshal([]byte(s.must("spool", "list", "-o", "json")), &list); err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].State != "queued" || list[0].Attempts != 0 {
				t.Errorf("spool list = %+v; want the message queued, no attempt counted", list)
			}
		})
	}
}

// A command that is not delivering anything still ends by its own exit
// code, not the signal's default action: SIGTERM is caught for the whole run.
func TestSignalCaughtByMain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	m := newMute(t)
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "mx", "--transport", "smtp", "--set", "smtp.host=127.0.0.1",
		"--set", "smtp.port="+itoa(m.port()), "--set", "smtp.security=none", "--set", "smtp.auth=none",
		"--set", "timeout=30", "--set", "email=me@example.com")
	// session logon verifies the transport: it waits on the mute server.
	code, _, errs, took := signalled(t, s.cmd("session", "logon", "--no-input"), m, syscall.SIGTERM)
	t.Logf("exit %d after %v: %s", code, took, errs)
	if code == 0 || took > 2*time.Second {
		t.Errorf("session logon: exit %d after %v; want a failure code within 2s\n%s", code, took, errs)
	}
}
