package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestCoreDumpsDisabled: after run(), the process may not dump core
// (RLIMIT_CORE 0 and, on Linux, not dumpable).
func TestCoreDumpsDisabled(t *testing.T) {
	s := newRelStore(t)
	if code, _, errs := s.inproc(nil, "version"); code != 0 {
		t.Fatalf("version: exit %d\n%s", code, errs)
	}
	var lim unix.Rlimit
	must(t, unix.Getrlimit(unix.RLIMIT_CORE, &lim))
	if lim.Cur != 0 || lim.Max != 0 {
		t.Errorf("RLIMIT_CORE = %+v; want 0/0", lim)
	}
	if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
		t.Errorf("PR_GET_DUMPABLE = %d, %v; want 0", d, err)
	}
}
