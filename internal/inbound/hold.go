package inbound

import (
	"context"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// Held is the journal lock of one account and mailbox, taken by [Hold]
// and kept across fetches: `spool watch` holds it while it runs (SPEC §8),
// so another fetch of the account waits, then gives up with MAPI_E_BUSY.
// A Held is used by one goroutine at a time.
type Held struct {
	store string
	a     Account
	path  string
	fl    *flock.Flock
}

// Hold takes the journal lock of account a under store/inbound/ (creating
// the directory), waiting up to timeout as [Fetch] does. Errors: those of
// Fetch's lock (MAPI_E_BUSY past the timeout or when ctx ends while
// waiting; MAPI_E_DISK_ERROR).
func Hold(ctx context.Context, store string, a Account, timeout time.Duration) (*Held, error) {
	dir := filepath.Join(store, "inbound")
	if err := fsutil.MkdirPrivate(dir); err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "create the inbound state directory")
	}
	path := filepath.Join(dir, journalName(a)+".journal")
	fl, err := lockJournal(ctx, path, timeout)
	if err != nil {
		return nil, err
	}
	return &Held{store: store, a: a, path: path, fl: fl}, nil
}

// Fetch is [Fetch] of the held account (o.LockTimeout unused): the same
// pass, under the lock already held. It does not Close src.
func (h *Held) Fetch(ctx context.Context, src Source, o Options) (res Result, err error) {
	if o.DryRun {
		return Fetch(ctx, h.store, h.a, src, o) // takes no lock
	}
	if (o.Maildir == "") == (len(o.MDA) == 0) {
		return res, mapi.Errorf(mapi.InvalidParameter, "inbound: exactly one of a Maildir and an MDA is needed")
	}
	if !o.Keep && !src.CanDelete() {
		return res, mapi.Errorf(mapi.Unconfigured, "the server cannot confirm deletions (no UIDPLUS), so inbound.keep=false cannot be honoured").
			WithHint("set inbound.keep=true, or use a server with UIDPLUS")
	}
	return locked(ctx, h.path, h.a, src, o)
}

// Release lets the lock go. Safe to call more than once.
func (h *Held) Release() error {
	if h == nil || h.fl == nil {
		return nil
	}
	err := h.fl.Unlock()
	h.fl = nil
	return err
}
