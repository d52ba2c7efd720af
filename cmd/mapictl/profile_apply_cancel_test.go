package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProfileApplyCancelStopsCommand: the run's context reaches the
// manifest's {command: ...}. Cancelled while the command runs (as SIGINT
// or SIGTERM does once a prompt armed them), apply stops it, exits 130 and
// writes nothing, rather than the signal being swallowed while the command
// runs on and the profile is written after all.
func TestProfileApplyCancelStopsCommand(t *testing.T) {
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	dir := t.TempDir()
	manifest := filepath.Join(dir, "m.yaml")
	must(t, os.WriteFile(manifest, []byte(`profile: p
sections:
  - name: s
    transport: maildir
    credentials:
      password: {command: [sh, -c, "touch started; sleep 30; echo pw"]}
`), 0o600))
	for _, c := range clearedEnv {
		t.Setenv(c, "")
	}
	t.Setenv("MAPICTL_STORE", s.dir)
	t.Setenv("HOME", s.home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(s.home, "xdg"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := 0; i < 1000; i++ {
			if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"mapictl", "profile", "apply", "-f", manifest, "--allow-commands"}, strings.NewReader(""), &out, &errb)
	if code != 130 {
		t.Fatalf("exit %d, want 130\n%s%s", code, out.String(), errb.String())
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("apply held on for %v after the cancel", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "started")); err != nil {
		t.Fatal("the command never started")
	}
	if code, got, errs := s.inproc(nil, "section", "list", "-o", "json"); code != 0 || strings.Contains(got, `"s"`) {
		t.Fatalf("section s was written: exit %d\n%s%s", code, got, errs)
	}
}
