package inbound

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// AccountLock is the lock of one server account and mailbox, whatever
// profile or section fetches it: taken by [LockAccount] before the logon
// and let go after the logoff, so that two sessions of one maildrop never
// overlap (a POP3 listing is fixed at logon: a session that logged on
// while another was deleting lists messages that are gone, or that the
// other's journal has already forgotten).
//
// The journal lock ([Hold], per profile, section and account) cannot do
// this: two sections on one account (after `profile copy`, or one
// mailbox in two sections or profiles) have two journals. Order: the
// account lock first, then the journal lock (then, inside the dial, an
// OAuth 2.0 token file's).
type AccountLock struct {
	fl *flock.Flock
}

// AccountKey is the digest naming a's account lock: of the host (case
// folded), port, user and mailbox (IMAP's INBOX case folded, as the
// protocol does), not of the profile or section. Two Accounts with the
// same key share one lock.
func AccountKey(a Account) string {
	mb := a.Mailbox
	if strings.EqualFold(mb, "INBOX") {
		mb = "INBOX"
	}
	return digestFields("mapictl inbound account", strings.ToLower(a.Host), strconv.Itoa(a.Port), a.User, mb)
}

// LockAccount takes the account lock of a, store/inbound/KEY.account.lock
// (KEY from [AccountKey]: the file name holds no host or user in
// plaintext; the directory is created 0700), waiting up to timeout.
// Errors: MAPI_E_BUSY (75) past the timeout or when ctx ends while
// waiting; MAPI_E_DISK_ERROR.
func LockAccount(ctx context.Context, store string, a Account, timeout time.Duration) (*AccountLock, error) {
	dir := filepath.Join(store, "inbound")
	if err := fsutil.MkdirPrivate(dir); err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "create the inbound state directory")
	}
	fl, err := lockFile(ctx, filepath.Join(dir, AccountKey(a)+".account.lock"), timeout, "lock the inbound account")
	if err != nil {
		return nil, err
	}
	return &AccountLock{fl: fl}, nil
}

// Release lets the lock go. Safe to call more than once, and on nil.
func (l *AccountLock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	err := l.fl.Unlock()
	l.fl = nil
	return err
}
