//go:build unix

package spool

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenModes: Open makes the directories 0700 whatever the umask and
// tightens ones that exist.
func TestOpenModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if err := os.MkdirAll(filepath.Join(dir, outboxDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"", outboxDir, failedDir} {
		if fi, err := os.Stat(filepath.Join(dir, d)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%q: %v %v", d, fi.Mode(), err)
		}
	}
	k := newKeys(t)
	id, err := s.Enqueue(k, "p", "s", "", testPayload())
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".age", ".json", ".lock"} {
		if fi, err := os.Stat(s.path(outboxDir, id, ext)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", ext, fi.Mode(), err)
		}
	}
}
