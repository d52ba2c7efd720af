package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/mapi"
)

// The sessions lock waits with a bound: a holder that never lets go makes
// Sweep and Create fail with MAPI_E_BUSY, not hang.
func TestLockBounded(t *testing.T) {
	old := lockTimeout
	lockTimeout = 200 * time.Millisecond
	t.Cleanup(func() { lockTimeout = old })
	root := t.TempDir()
	if err := os.MkdirAll(Dir(root), 0o700); err != nil {
		t.Fatal(err)
	}
	holder := flock.New(filepath.Join(Dir(root), ".lock"))
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	defer holder.Unlock()
	start := time.Now()
	if _, _, err := Sweep(root, t0); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("Sweep with the lock held elsewhere: %v, want MAPI_E_BUSY", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Sweep waited %s", d)
	}
	if _, err := Create(root, snap("x", true), false); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("Create with the lock held elsewhere: %v, want MAPI_E_BUSY", err)
	}
}

// List, Lookup and AllIDs only read: they work in a read-only sessions
// directory (where Sweep cannot lock) and remove nothing.
func TestReadOnlySessionsDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	root := t.TempDir()
	tok, err := Create(root, snap("x", true), false)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(Dir(root), ".lock"))
	if err := os.Chmod(Dir(root), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(Dir(root), 0o700) })
	later := t0.Add(2 * time.Hour) // the session has expired
	if ms, err := List(root, t0.Add(time.Minute)); err != nil || len(ms) != 1 {
		t.Fatalf("List: %v, %v", ms, err)
	}
	if ms, err := List(root, later); err != nil || len(ms) != 0 {
		t.Fatalf("List after expiry: %v, %v", ms, err)
	}
	if ids, err := AllIDs(root, later); err != nil || len(ids) != 0 {
		t.Fatalf("AllIDs after expiry: %q, %v", ids, err)
	}
	id, _, _ := strings.Cut(tok, ".")
	if _, err := Lookup(root, id, later); !mapi.IsCode(err, mapi.NotFound) {
		t.Fatalf("Lookup after expiry: %v, want MAPI_E_NOT_FOUND", err)
	}
	if m, s := paths(root, id); !fileExists(m) || !fileExists(s) {
		t.Fatal("a read removed the expired session's files")
	}
	if _, _, err := Sweep(root, later); !mapi.IsCode(err, mapi.DiskError) {
		t.Fatalf("Sweep in a read-only directory: %v, want MAPI_E_DISK_ERROR", err)
	}
}
