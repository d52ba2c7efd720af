package spool

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/mapictl/mapictl/internal/mapi"
)

// errBusy reports a message claimed by another process or goroutine.
var errBusy = errors.New("busy")

// claim is an exclusive flock on outbox/ID.lock.
type claim struct {
	f    *os.File
	path string
}

// claim takes the message's lock without waiting. It returns errBusy when
// another holder has it. Because a holder may remove the lock file, claim
// checks after locking that the path still names the locked file, and tries
// again when it does not.
func (s *Spool) claim(id string) (*claim, error) {
	path := s.path(outboxDir, id, ".lock")
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "open message lock")
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, unix.EINTR) {
				return nil, errBusy
			}
			return nil, mapi.Wrap(mapi.DiskError, err, "lock message")
		}
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && sameFile(fi, pi) {
			return &claim{f: f, path: path}, nil
		}
		f.Close()
	}
}

func sameFile(a, b os.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// release unlocks; with remove it first unlinks the lock file (while still
// holding it, so no one else can be inside).
func (c *claim) release(remove bool) {
	if c == nil {
		return
	}
	if remove {
		os.Remove(c.path)
	}
	c.f.Close()
}

// busyErr is the *mapi.Error for a message claimed elsewhere.
func busyErr(id string) error {
	return mapi.Errorf(mapi.Busy, "message %s is being delivered by another process", id)
}
