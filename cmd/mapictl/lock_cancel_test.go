package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/profile"
)

// TestLockWaitCancelled: a command waiting for a profile's writer lock
// stops when the run's context is cancelled (SIGINT or SIGTERM, once a
// prompt armed them: a passphrase, credential set's secret), exits 130 and
// writes nothing, instead of waiting out --lock-timeout and writing after
// all.
func TestLockWaitCancelled(t *testing.T) {
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "s", "--transport", "maildir", "--set", "display-name=v0")
	unlock, err := (&profile.Store{Root: s.dir}).Lock("p")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clearedEnv {
		t.Setenv(c, "")
	}
	t.Setenv("MAPICTL_STORE", s.dir)
	t.Setenv("HOME", s.home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(s.home, "xdg"))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"mapictl", "--lock-timeout", "1m", "section", "set", "s", "display-name=v1"}, strings.NewReader(""), &out, &errb)
	unlock()
	if code != 130 {
		t.Fatalf("exit %d, want 130\n%s%s", code, out.String(), errb.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the lock wait held on for %v after the cancel", d)
	}
	if _, got, _ := s.inproc(nil, "section", "open", "s", "-o", "json"); displayName(t, got) != "v0" {
		t.Fatalf("display-name written despite the cancel: %s", got)
	}
}
