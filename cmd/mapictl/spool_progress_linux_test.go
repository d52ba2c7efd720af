package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// onSizedTerminal runs c with a pseudo-terminal of rows rows as its
// stderr (stdout is captured apart) and returns what each showed.
func onSizedTerminal(t *testing.T, c *exec.Cmd, rows int) (stdout, terminal string) {
	t.Helper()
	master, slave := ptyPair(t)
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(rows), Col: 80}); err != nil {
		t.Fatal(err)
	}
	shown := &syncBuffer{}
	go func() { _, _ = io.Copy(shown, master) }()
	var out strings.Builder
	c.Stdout, c.Stderr = &out, slave
	if err := c.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", c.Args, err, shown.String())
	}
	// What the command wrote before it exited reaches the master side a
	// moment later.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(shown.String(), "\n") {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	return out.String(), shown.String()
}

// Progress on a terminal (issue 29): spool list shows a count on stderr
// when it has more messages than the terminal has rows, and none when they
// fit; spool flush shows it too, redrawn a few times, not once a message.
// stdout (the list) never carries it.
func TestSpoolProgressOnTerminal(t *testing.T) {
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	md := filepath.Join(t.TempDir(), "Maildir")
	s.must("section", "create", "md", "--transport", "maildir", "--set", "maildir.path="+md, "--set", "email=me@example.org")
	const n = 30
	for i := range n {
		s.must("message", "send", "--queue", "--to", "r@example.org", "--subject", fmt.Sprint("m", i), "--body", "b")
	}

	out, shown := onSizedTerminal(t, s.cmd("spool", "list", "-o", "json"), 10)
	var list []spoolEntry
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != n {
		t.Fatalf("spool list: %d entries, %v\n%s", len(list), err, out)
	}
	if !strings.Contains(shown, fmt.Sprintf("] %d/%d", n, n)) {
		t.Errorf("spool list of %d on a terminal of 10 rows shows no progress: %q", n, shown)
	}
	if _, shown = onSizedTerminal(t, s.cmd("spool", "list"), 100); strings.Contains(shown, "/30") {
		t.Errorf("spool list of %d on a terminal of 100 rows shows progress: %q", n, shown)
	}

	out, shown = onSizedTerminal(t, s.cmd("spool", "flush"), 10)
	if !strings.Contains(out, fmt.Sprintf("flushed: %d sent", n)) {
		t.Fatalf("spool flush: %q", out)
	}
	if !strings.Contains(shown, fmt.Sprintf("] %d/%d", n, n)) {
		t.Errorf("spool flush shows no progress: %q", shown)
	}
	if draws := strings.Count(shown, "\r["); draws >= n {
		t.Errorf("spool flush redrew its progress %d times for %d messages: a flood", draws, n)
	}
}
