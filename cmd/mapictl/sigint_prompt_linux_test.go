//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ptyPair opens a pseudo-terminal: master is the user's side; slave is the
// terminal mapictl gets as its controlling terminal (and the test reads
// its settings through).
func ptyPair(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var n uint32
	rc, _ := m.SyscallConn()
	rc.Control(func(fd uintptr) {
		if err = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); err == nil {
			n, err = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN)
		}
	})
	if err != nil {
		t.Skipf("cannot unlock the pseudo-terminal: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// echoOn reports whether the terminal f echoes.
func echoOn(t *testing.T, f *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSIGINTAtPrompt (issue 26, "Long-running work"): SIGINT while mapictl
// waits at a password prompt on its controlling terminal ends it by its
// own exit code, 130 (MAPI_E_USER_CANCEL), within 2 seconds, not by the
// signal's default action, and leaves the terminal as it found it: echo on.
func TestSIGINTAtPrompt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "mx", "--transport", "smtp", "--set", "smtp.host=127.0.0.1")
	master, slave := ptyPair(t)
	if !echoOn(t, slave) {
		t.Skip("the pseudo-terminal does not start with echo on")
	}
	var shown syncBuffer                           // what mapictl wrote on the terminal
	go func() { _, _ = io.Copy(&shown, master) }() // until EIO: the last slave closed

	c := s.cmd("credential", "set", "mx", "--username", "dana")
	var out, errb bytes.Buffer
	c.Stdin, c.Stdout, c.Stderr = slave, &out, &errb
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0} // the pty: mapictl's /dev/tty
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	// At the prompt: its text shown and the terminal in raw mode (no echo).
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(shown.String(), "Password:") || echoOn(t, slave) {
		select {
		case err := <-done:
			t.Fatalf("mapictl ended before its prompt (%v)\nterminal: %q\nstderr: %s", err, shown.String(), errb.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = c.Process.Kill()
			<-done
			t.Fatalf("no password prompt in raw mode\nterminal: %q\nstderr: %s", shown.String(), errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	if err := c.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("still running 10s after SIGINT\nstderr: %s", errb.String())
	}
	took := time.Since(start)
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("ended by %v (the signal's default action), not by an exit code\nstderr: %s", ws.Signal(), errb.String())
		}
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	t.Logf("exit %d after %v\nstderr: %s", code, took, errb.String())
	if code != 130 {
		t.Errorf("exit %d; want 130 (prompt cancelled)\nstderr: %s", code, errb.String())
	}
	if took > 2*time.Second {
		t.Errorf("ended %v after SIGINT; want within 2s", took)
	}
	if !strings.Contains(errb.String(), "MAPI_E_USER_CANCEL") {
		t.Errorf("stderr does not name MAPI_E_USER_CANCEL:\n%s", errb.String())
	}
	if !echoOn(t, slave) {
		t.Error("the terminal was left without echo")
	}
}
