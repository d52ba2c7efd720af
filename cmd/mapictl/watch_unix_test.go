//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newIMAPStore is a store with profile p and section in, whose inbound
// side is an in-process imapmemserver with n messages (IDLE offered).
func newIMAPStore(t *testing.T, n int) (*relStore, func(int)) {
	t.Helper()
	cert, caPEM := newTestCert(t)
	user, srv, l, err := startMemIMAP(cert, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	s := newRelStore(t)
	ca := filepath.Join(s.home, "ca.pem")
	if err := os.WriteFile(ca, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "in", "--inbound", "imap", "--set", "inbound.host=127.0.0.1",
		"--set", "inbound.port="+port, "--set", "inbound.ca-file="+ca, "--set", "email=dana@example.com")
	c := s.cmd("credential", "set", "in", "--inbound", "--username", imapTestUser, "--password-stdin")
	c.Stdin = strings.NewReader(imapTestPass)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("credential set: %v\n%s", err, out)
	}
	return s, func(k int) {
		if err := appendTestMessages(user, k); err != nil {
			t.Error(err)
		}
	}
}

// countNew is how many messages section in's Maildir holds in new/.
func countNew(s *relStore) int {
	ents, _ := os.ReadDir(filepath.Join(s.dir, "inbox", "p", "in", "new"))
	return len(ents)
}

// waitFor polls cond every 20 ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// watchProc is a `spool watch` process started by startWatch, with its
// output.
type watchProc struct {
	cmd       *exec.Cmd
	out, errb bytes.Buffer
	done      chan error
}

// startWatch starts c, a spool watch, capturing its output; the process is
// killed when the test ends if it is still running.
func startWatch(t *testing.T, c *exec.Cmd) *watchProc {
	t.Helper()
	w := &watchProc{cmd: c, done: make(chan error, 1)}
	c.Stdout, c.Stderr = &w.out, &w.errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.done <- c.Wait() }()
	t.Cleanup(func() {
		if c.ProcessState == nil {
			_ = c.Process.Kill()
			<-w.done
		}
	})
	return w
}

// output is what the watch printed so far, stdout then stderr.
func (w *watchProc) output() string { return w.out.String() + w.errb.String() }

// stop sends SIGTERM and fails the test unless the watch exits 0 within
// limit.
func (w *watchProc) stop(t *testing.T, limit time.Duration) {
	t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-w.done:
		if err != nil {
			t.Fatalf("spool watch after SIGTERM: %v\n%s", err, w.output())
		}
	case <-time.After(limit):
		t.Fatalf("spool watch did not end after SIGTERM\n%s", w.output())
	}
}

// TestSpoolWatchIdle: spool watch delivers what is there, then a message
// APPENDed while it runs is in the Maildir within 2 s (IMAP IDLE); a
// message fetch beside it waits for the journal lock, then 75; SIGTERM
// ends it with 0.
func TestSpoolWatchIdle(t *testing.T) {
	s, appendMsgs := newIMAPStore(t, 2)
	w := startWatch(t, s.cmd("spool", "watch", "--interval", "1h"))
	if !waitFor(20*time.Second, func() bool { return countNew(s) == 2 }) {
		t.Fatalf("the first pass delivered %d of 2\n%s", countNew(s), w.output())
	}
	time.Sleep(300 * time.Millisecond) // let it enter IDLE
	start := time.Now()
	appendMsgs(1)
	if !waitFor(2*time.Second, func() bool { return countNew(s) == 3 }) {
		t.Fatalf("a new message was not delivered within 2 s (%d)\n%s", countNew(s), w.output())
	}
	t.Logf("new mail delivered %v after the APPEND", time.Since(start))

	code, _, stderr := s.execEnv([]string{"MAPICTL_LOCK_TIMEOUT=300ms"}, "message", "fetch")
	if code != 75 || !strings.Contains(stderr, "MAPI_E_BUSY") {
		t.Errorf("message fetch beside the watch: exit %d\n%s", code, stderr)
	}

	w.stop(t, 10*time.Second)
	if !strings.Contains(w.out.String(), "in: fetched 1 message") {
		t.Errorf("stdout:\n%s", w.out.String())
	}
	// Nothing is fetched twice afterwards.
	code, stdout, stderr := s.execEnv(nil, "message", "fetch", "-o", "json")
	var res fetchJSON
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || len(res.Sections) != 1 || res.Sections[0].Fetched != 0 {
		t.Fatalf("fetch after the watch: exit %d\n%s%s", code, stdout, stderr)
	}
}

// execEnv is exec with extra environment.
func (s *relStore) execEnv(env []string, args ...string) (int, string, string) {
	s.t.Helper()
	c := s.cmd(args...)
	c.Env = append(c.Env, env...)
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

// TestSpoolWatchSessionExpires: under a session spool watch fetches with
// the snapshot's credentials, and exits 77 when the session expires.
func TestSpoolWatchSessionExpires(t *testing.T) {
	s, _ := newIMAPStore(t, 1)
	code, stdout, stderr := s.execEnv(nil, "session", "logon", "--ttl", "3s", "-o", "json")
	var logon struct {
		Token string `json:"token"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &logon) != nil || logon.Token == "" {
		t.Fatalf("session logon: exit %d\n%s%s", code, stdout, stderr)
	}
	start := time.Now()
	code, stdout, stderr = s.execEnv([]string{"MAPICTL_SESSION=" + logon.Token}, "spool", "watch", "--interval", "1h")
	if code != 77 || !strings.Contains(stderr, "expired") || countNew(s) != 1 {
		t.Fatalf("spool watch under a session: exit %d after %v, %d delivered\n%s%s", code, time.Since(start), countNew(s), stdout, stderr)
	}
}

// TestSpoolWatchPOP3BesideFetch: spool watch polling a POP3 section
// (inbound.keep=false) holds the journal lock, so a message fetch beside
// it waits, then exits 75 without logging on (a fetch that logged on
// first would hold a listing from before the watch's deletions, and, on a
// server that locks the maildrop, keep the watch's next poll out).
func TestSpoolWatchPOP3BesideFetch(t *testing.T) {
	srv, port, stop, err := startPOP3(2, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "in", "--inbound", "pop3", "--set", "inbound.host=127.0.0.1",
		"--set", "inbound.port="+port, "--set", "inbound.security=none", "--set", "inbound.allow-insecure-auth=true",
		"--set", "inbound.auth=user", "--set", "inbound.keep=false")
	c := s.cmd("credential", "set", "in", "--inbound", "--username", imapTestUser, "--password-stdin")
	c.Stdin = strings.NewReader(imapTestPass)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("credential set: %v\n%s", err, out)
	}
	held := func() int { srv.mu.Lock(); defer srv.mu.Unlock(); return len(srv.msgs) }

	w := startWatch(t, s.cmd("spool", "watch", "--interval", "1h"))
	if !waitFor(20*time.Second, func() bool { return countNew(s) == 2 && held() == 0 }) {
		t.Fatalf("the first poll: %d delivered, %d left on the server\n%s", countNew(s), held(), w.output())
	}
	logons := srv.logonCount()
	srv.add(1)
	code, _, stderr := s.execEnv([]string{"MAPICTL_LOCK_TIMEOUT=300ms"}, "message", "fetch")
	if code != 75 || !strings.Contains(stderr, "MAPI_E_BUSY") {
		t.Errorf("message fetch beside the watch: exit %d\n%s", code, stderr)
	}
	if n := srv.logonCount(); n != logons {
		t.Errorf("the waiting fetch logged on: %d logons, want %d", n, logons)
	}
	w.stop(t, 10*time.Second)
	// The watch gone, a fetch takes the new message, once.
	code, stdout, stderr := s.execEnv(nil, "message", "fetch", "-o", "json")
	var res fetchJSON
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || len(res.Sections) != 1 || res.Sections[0].Fetched != 1 ||
		countNew(s) != 3 || held() != 0 {
		t.Fatalf("fetch after the watch: exit %d, %d delivered\n%s%s", code, countNew(s), stdout, stderr)
	}
}

// TestSpoolWatchPOP3TwoSections: two sections on one POP3 maildrop
// (inbound.keep=false) share the account lock. In one spool watch they
// take turns (the second logs on after the first one's QUIT), so each
// message lands once across the two Maildirs and no -ERR is met; a
// message fetch of a third section on the maildrop waits, then exits 75
// without logging on.
func TestSpoolWatchPOP3TwoSections(t *testing.T) {
	srv, port, stop, err := startPOP3(5, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	srv.mu.Lock()
	srv.expunged, srv.quitDelay = true, 500*time.Millisecond
	srv.mu.Unlock()
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	for _, sec := range []string{"in", "in2", "in3"} {
		s.must("section", "create", sec, "--inbound", "pop3", "--set", "inbound.host=127.0.0.1",
			"--set", "inbound.port="+port, "--set", "inbound.security=none", "--set", "inbound.allow-insecure-auth=true",
			"--set", "inbound.auth=user", "--set", "inbound.keep=false")
		c := s.cmd("credential", "set", sec, "--inbound", "--username", imapTestUser, "--password-stdin")
		c.Stdin = strings.NewReader(imapTestPass)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("credential set: %v\n%s", err, out)
		}
	}
	held := func() int { srv.mu.Lock(); defer srv.mu.Unlock(); return len(srv.msgs) }
	newOf := func(sec string) int {
		ents, _ := os.ReadDir(filepath.Join(s.dir, "inbox", "p", sec, "new"))
		return len(ents)
	}

	w := startWatch(t, s.cmd("spool", "watch", "-s", "in", "-s", "in2", "--interval", "1h"))
	if !waitFor(30*time.Second, func() bool { return srv.logonCount() >= 2 && held() == 0 }) {
		t.Fatalf("the first polls: %d logons, %d left on the server", srv.logonCount(), held())
	}
	code, _, stderr := s.execEnv([]string{"MAPICTL_LOCK_TIMEOUT=300ms"}, "message", "fetch", "-s", "in3")
	if code != 75 || !strings.Contains(stderr, "MAPI_E_BUSY") {
		t.Errorf("message fetch of another section beside the watch: exit %d\n%s", code, stderr)
	}
	if n := srv.logonCount(); n != 2 {
		t.Errorf("%d logons, want 2 (one poll of each watched section; none of the waiting fetch)", n)
	}
	w.stop(t, 20*time.Second)
	if got := newOf("in") + newOf("in2"); got != 5 || newOf("in3") != 0 {
		t.Errorf("delivered in=%d in2=%d in3=%d, want 5 in all\n%s", newOf("in"), newOf("in2"), newOf("in3"), w.output())
	}
	if strings.Contains(w.output(), "-ERR") {
		t.Errorf("a section met an -ERR:\n%s", w.output())
	}
}
