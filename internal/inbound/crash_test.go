package inbound

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

var failpoints = []string{"after-write", "after-fsync", "after-intent", "after-link",
	"before-delete", "after-delete", "before-commit"}

// TestMain lets the test binary act as a fetching process that kills
// itself with SIGKILL at a failpoint (INBOUND_TEST_CRASH, at its
// INBOUND_TEST_CRASH_N-th hit), as internal/spool's tests re-exec theirs.
func TestMain(m *testing.M) {
	if os.Getenv("INBOUND_TEST_CHILD") == "fetch" {
		if err := childFetch(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func childFetch() error {
	point := os.Getenv("INBOUND_TEST_CRASH")
	n, _ := strconv.Atoi(os.Getenv("INBOUND_TEST_CRASH_N"))
	testOnlyCrashAt = func(p string) {
		if p == point {
			if n--; n <= 0 {
				// SIGKILL on Unix, TerminateProcess on Windows: no
				// deferred call, no buffer flushed, as a crash.
				if p, err := os.FindProcess(os.Getpid()); err == nil {
					p.Kill()
				}
			}
		}
	}
	src, err := loadFake(os.Getenv("INBOUND_TEST_SOURCE"))
	if err != nil {
		return err
	}
	_, err = Fetch(context.Background(), os.Getenv("INBOUND_TEST_STORE"), testAccount, src,
		Options{Maildir: os.Getenv("INBOUND_TEST_MAILDIR"), LockTimeout: 5 * time.Second})
	return err
}

// crashAt runs op with testOnlyCrashAt panicking at the n-th hit of point,
// and reports whether the crash happened.
func crashAt(point string, n int, op func()) (crashed bool) {
	testOnlyCrashAt = func(p string) {
		if p == point {
			if n--; n <= 0 {
				panic("crash at " + p)
			}
		}
	}
	defer func() {
		testOnlyCrashAt = nil
		if r := recover(); r != nil {
			if r != "crash at "+point {
				panic(r)
			}
			crashed = true
		}
	}()
	op()
	return false
}

// TestCrashPoints crashes a fetch (Keep false) at each failpoint, at the
// first and at a later hit, then fetches again: every message is in the
// Maildir exactly once and the server keeps nothing delivered.
func TestCrashPoints(t *testing.T) {
	for _, pop3 := range []bool{false, true} {
		for _, point := range failpoints {
			for _, hit := range []int{1, 3} {
				t.Run(fmt.Sprintf("pop3=%v/%s/%d", pop3, point, hit), func(t *testing.T) {
					fx := newFixture(t)
					v := "7"
					if pop3 {
						v = ""
					}
					src := newFake(v, testBodies...)
					crashed := crashAt(point, hit, func() { fx.fetch(t, src, fx.opts(false)) })
					if !crashed && hit == 1 {
						t.Fatalf("no crash at %s", point)
					}
					src.Close()
					fx.mustFetch(t, src, fx.opts(false))
					if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
						t.Fatalf("maildir %q", got)
					}
					if len(src.Msgs) != 0 {
						t.Fatalf("%d left on the server", len(src.Msgs))
					}
				})
			}
		}
	}
}

// A message the user moved out of new/ (read by mutt, now in cur/) between
// a crash and the next fetch is not delivered again; nor is one deleted.
func TestMovedAfterCrashNotRedelivered(t *testing.T) {
	for _, point := range []string{"after-link", "before-delete", "after-delete"} {
		t.Run(point, func(t *testing.T) {
			fx := newFixture(t)
			src := newFake("3", testBodies[:3]...)
			if !crashAt(point, 1, func() { fx.fetch(t, src, fx.opts(false)) }) {
				t.Fatal("no crash")
			}
			src.Close()
			ents, _ := os.ReadDir(filepath.Join(fx.md, "new"))
			if len(ents) == 0 {
				t.Fatal("nothing in new/")
			}
			for _, e := range ents {
				if err := os.Rename(filepath.Join(fx.md, "new", e.Name()), filepath.Join(fx.md, "cur", e.Name()+":2,S")); err != nil {
					t.Fatal(err)
				}
			}
			fx.mustFetch(t, src, fx.opts(false))
			if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies[:3]...)) {
				t.Fatalf("maildir %q", got)
			}
			if len(src.Msgs) != 0 {
				t.Fatalf("%d left on the server", len(src.Msgs))
			}
		})
	}
}

// TestKillAtFailpoints runs the fetch in a child process (this test binary
// re-executed) that SIGKILLs itself at each failpoint, then fetches again
// in a second child: every message in the Maildir exactly once, the
// server keeping nothing delivered, and the lock released by the death.
func TestKillAtFailpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	for _, point := range failpoints {
		for _, hit := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%d", point, hit), func(t *testing.T) {
				fx := newFixture(t)
				src := newFake("11", testBodies...)
				src.file = filepath.Join(t.TempDir(), "server.json")
				if err := src.save(); err != nil {
					t.Fatal(err)
				}
				child := func(crash string) error {
					c := exec.Command(exe, "-test.run=^$")
					c.Env = append(os.Environ(), "INBOUND_TEST_CHILD=fetch", "INBOUND_TEST_CRASH="+crash,
						"INBOUND_TEST_CRASH_N="+strconv.Itoa(hit), "INBOUND_TEST_SOURCE="+src.file,
						"INBOUND_TEST_STORE="+fx.store, "INBOUND_TEST_MAILDIR="+fx.md)
					out, err := c.CombinedOutput()
					if err != nil {
						return fmt.Errorf("%v: %s", err, out)
					}
					return nil
				}
				err := child(point)
				if hit == 1 && err == nil {
					t.Fatalf("the child was not killed at %s", point)
				}
				if err := child(""); err != nil {
					t.Fatalf("second fetch: %v", err)
				}
				after, err := loadFake(src.file)
				if err != nil {
					t.Fatal(err)
				}
				if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
					t.Fatalf("maildir %q", got)
				}
				if len(after.Msgs) != 0 {
					t.Fatalf("%d left on the server", len(after.Msgs))
				}
			})
		}
	}
}

// A crash after the intents, then inbound.maildir pointed elsewhere: the
// next fetch finishes each message in the Maildir its intent names (its
// tmp/ file is there), and delivers nothing into the new one twice. Before
// intents named their Maildir, recovery looked in the new one, found no
// tmp/ file, and counted the messages delivered while they sat in the old
// tmp/.
func TestRecoveryFinishesInTheIntentsMaildir(t *testing.T) {
	fx := newFixture(t)
	src := newFake("5", testBodies[:3]...)
	if !crashAt("after-intent", 1, func() { fx.fetch(t, src, fx.opts(true)) }) {
		t.Fatal("no crash")
	}
	src.Close()
	old := fx.md
	fx.md = filepath.Join(filepath.Dir(old), "elsewhere")
	fx.mustFetch(t, src, fx.opts(true))
	if got := maildirBodies(t, old); !equal(got, sorted(testBodies[:3]...)) {
		t.Fatalf("old Maildir %q; want the three messages its intents named", got)
	}
	if tmp, _ := os.ReadDir(filepath.Join(old, "tmp")); len(tmp) != 0 {
		t.Fatalf("old tmp/ keeps %d files", len(tmp))
	}
	if got := maildirBodies(t, fx.md); len(got) != 0 {
		t.Fatalf("new Maildir %q; want nothing (every message was delivered once, in the old one)", got)
	}
}
