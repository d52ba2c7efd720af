package inbound

import (
	"context"
	"errors"
	"time"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// lockJournal takes the exclusive lock of a journal (path + ".lock"),
// as [lockFile] does.
func lockJournal(ctx context.Context, path string, timeout time.Duration) (*flock.Flock, error) {
	return lockFile(ctx, path+".lock", timeout, "lock the inbound journal")
}

// lockFile takes the exclusive lock of path (created 0600; flock(2)
// through gofrs/flock, so the kernel lets it go when the process ends,
// however it ends: a lock file left behind by a crash locks nothing),
// waiting up to timeout. Another holder past the timeout is MAPI_E_BUSY
// (75); ctx cancelled while waiting is MAPI_E_BUSY too (try later); a
// lock that cannot be taken at all is MAPI_E_DISK_ERROR, what saying
// what was being done.
func lockFile(ctx context.Context, path string, timeout time.Duration, what string) (*flock.Flock, error) {
	fl := flock.New(path, flock.SetPermissions(fsutil.FileMode))
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ok, err := fl.TryLock()
	if err == nil && !ok && timeout > 0 {
		ok, err = fl.TryLockContext(wctx, 50*time.Millisecond)
	}
	switch {
	case ok:
		return fl, nil
	case ctx.Err() != nil:
		return nil, mapi.Wrap(mapi.Busy, ctx.Err(), "interrupted while waiting for another fetch of this account")
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return nil, mapi.Wrap(mapi.DiskError, err, what)
	}
	return nil, mapi.Errorf(mapi.Busy, "another fetch of this account and mailbox is running (waited %s)", timeout).
		WithHint("try again when it has finished, or raise --lock-timeout")
}
