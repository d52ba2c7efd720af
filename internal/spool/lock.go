package spool

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/mapi"
)

// errBusy reports a message claimed by another process or goroutine.
var errBusy = errors.New("busy")

// claim is an exclusive lock on outbox/ID.lock (flock(2) on Unix,
// LockFileEx on Windows, through github.com/gofrs/flock). Each claim opens
// its own handle, so two claims of one ID exclude each other within one
// process as well as across processes.
type claim struct {
	fl   *flock.Flock
	path string
}

// claim takes the message's lock without waiting. It returns errBusy when
// another holder has it. Because a holder may remove the lock file, claim
// checks after locking that the path still names the locked file
// (os.SameFile), and tries again when it does not.
func (s *Spool) claim(id string) (*claim, error) {
	path := s.path(outboxDir, id, ".lock")
	for {
		fl := flock.New(path, flock.SetFlag(os.O_RDWR|os.O_CREATE), flock.SetPermissions(0o600))
		ok, err := fl.TryLock()
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				return nil, errBusy
			}
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				return nil, mapi.Wrap(mapi.DiskError, err, "open message lock")
			}
			return nil, mapi.Wrap(mapi.DiskError, err, "lock message")
		}
		if !ok {
			return nil, errBusy
		}
		crashPoint("after-claim-lock")
		fi, err1 := fl.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return &claim{fl: fl, path: path}, nil
		}
		_ = fl.Unlock()
	}
}

// release unlocks; with remove it also removes the lock file. Where an open
// file can be unlinked (Unix), it is removed while still held, so no one
// else can be inside; a claim that opened it before is sent round again by
// the os.SameFile check. Where it cannot (Windows), it is removed after the
// unlock, and the removal fails while anyone else has it open: then it
// stays for them and the next claim reuses it.
func (c *claim) release(remove bool) {
	if c == nil {
		return
	}
	if remove && removeWhileHeld {
		os.Remove(c.path)
	}
	_ = c.fl.Unlock()
	if remove && !removeWhileHeld {
		os.Remove(c.path)
	}
}

// busyErr is the *mapi.Error for a message claimed elsewhere.
func busyErr(id string) error {
	return mapi.Errorf(mapi.Busy, "message %s is being delivered by another process", id)
}
