package inbound

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// The account lock is one per host, port, user and mailbox, whatever the
// profile or section: a copy of the section waits, then gives up (75);
// another port, user or mailbox does not. Its file names no host or user.
func TestAccountLockAcrossSections(t *testing.T) {
	t.Parallel()
	store := t.TempDir()
	ctx := context.Background()
	a := testAccount
	a.Port = 993
	l, err := LockAccount(ctx, store, a, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	copyOf := a
	copyOf.ProfileUID, copyOf.SectionUID = "other-p", "other-s"
	copyOf.Host = strings.ToUpper(a.Host)
	start := time.Now()
	if _, err := LockAccount(ctx, store, copyOf, 200*time.Millisecond); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("another section of the account: %v", err)
	} else if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("gave up after %v, before the timeout", d)
	}
	for _, other := range []func(*Account){
		func(b *Account) { b.Port = 143 },
		func(b *Account) { b.User = "someone-else" },
		func(b *Account) { b.Mailbox = "Archive" },
	} {
		b := a
		other(&b)
		l2, err := LockAccount(ctx, store, b, 0)
		if err != nil {
			t.Fatalf("%+v: %v", b, err)
		}
		l2.Release()
	}
	ents, err := os.ReadDir(filepath.Join(store, "inbound"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), "example") || strings.Contains(e.Name(), a.User) {
			t.Errorf("lock file %s names the account", e.Name())
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	// The file stays behind (as a crash leaves it): it locks nothing.
	l, err = LockAccount(ctx, store, copyOf, 0)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l.Release()
}

// IMAP's INBOX is one mailbox whatever its case; other names are not.
func TestAccountKeyInbox(t *testing.T) {
	t.Parallel()
	a, b := testAccount, testAccount
	a.Mailbox, b.Mailbox = "INBOX", "inbox"
	if AccountKey(a) != AccountKey(b) {
		t.Error("INBOX and inbox have two keys")
	}
	b.Mailbox = "Inbox.Sent"
	if AccountKey(a) == AccountKey(b) {
		t.Error("INBOX and Inbox.Sent share a key")
	}
}
