package spool

import (
	"errors"
	"os"
	"runtime"
	"testing"
)

const lockTestID = "00mm0000000000000000000000"

// heldFile reports whether c's locked file is the one at its path.
func heldFile(t *testing.T, c *claim) bool {
	t.Helper()
	fi, err1 := c.fl.Stat()
	pi, err2 := os.Stat(c.path)
	return err1 == nil && err2 == nil && os.SameFile(fi, pi)
}

// TestClaimExclusive: a second claim of one ID is busy while the first is
// held (in one process too: each claim has its own handle); after release
// a claim succeeds again, and release(true) removes the lock file.
func TestClaimExclusive(t *testing.T) {
	e := newEnv(t)
	c1, err := e.s.claim(lockTestID)
	if err != nil {
		t.Fatal(err)
	}
	if !heldFile(t, c1) {
		t.Fatal("first claim does not hold the file at its path")
	}
	if c, err := e.s.claim(lockTestID); !errors.Is(err, errBusy) || c != nil {
		t.Fatalf("second claim: %v, %v; want errBusy", c, err)
	}
	other, err := e.s.claim("00mm0000000000000000000001")
	if err != nil {
		t.Fatalf("another ID is not blocked: %v", err)
	}
	other.release(true)
	c1.release(false)
	c2, err := e.s.claim(lockTestID)
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	c2.release(true)
	if _, err := os.Stat(e.s.path(outboxDir, lockTestID, ".lock")); !os.IsNotExist(err) {
		t.Fatalf("lock file left after release(true): %v", err)
	}
	c3, err := e.s.claim(lockTestID)
	if err != nil {
		t.Fatalf("claim after remove: %v", err)
	}
	c3.release(true)
	var nilClaim *claim
	nilClaim.release(true) // no-op
}

// TestClaimReplacedFile: when the lock file is replaced at its path between
// the open and the lock (a holder removed it on release and another claim
// made a new one), claim notices that it locked a file no longer at the
// path (os.SameFile) and tries again on the new one.
func TestClaimReplacedFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot remove or replace an open file")
	}
	e := newEnv(t)
	path := e.s.path(outboxDir, lockTestID, ".lock")
	locks := 0
	testOnlyCrashAt = func(p string) {
		if p != "after-claim-lock" {
			return
		}
		locks++
		if locks == 1 {
			if err := os.Remove(path); err != nil {
				t.Error(err)
			}
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { testOnlyCrashAt = nil }()
	c, err := e.s.claim(lockTestID)
	if err != nil {
		t.Fatal(err)
	}
	defer c.release(true)
	if locks != 2 {
		t.Fatalf("claim locked %d times; want 2 (the replaced file detected, then the new one)", locks)
	}
	if !heldFile(t, c) {
		t.Fatal("claim holds a file that is no longer at its path")
	}
	if _, err := e.s.claim(lockTestID); !errors.Is(err, errBusy) {
		t.Fatalf("claim of the new file: %v; want errBusy", err)
	}
}
