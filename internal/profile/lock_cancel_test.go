package profile

import (
	"context"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestLockWaitStopsWithContext: a writer waiting for a profile's lock stops
// as soon as the store's Context is cancelled (mapictl's is, by SIGINT and
// SIGTERM once a prompt armed them), with MAPI_E_USER_CANCEL and nothing
// written, instead of the signal being swallowed while it waits out
// --lock-timeout and then writes after all.
func TestLockWaitStopsWithContext(t *testing.T) {
	id := testKey(t)
	root := t.TempDir()
	holder := &Store{Root: root}
	if err := holder.Create(New("w", []string{id.Recipient().String()})); err != nil {
		t.Fatal(err)
	}
	unlock, err := holder.Lock("w")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	st := &Store{Root: root, LockTimeout: time.Minute, Context: ctx}
	start := time.Now()
	wrote := false
	_, err = st.Update("w", []age.Identity{id}, func(p *Profile) error { wrote = true; return nil })
	if !mapi.IsCode(err, mapi.UserCancel) || wrote {
		t.Fatalf("Update while cancelled: %v (fn ran: %v); want MAPI_E_USER_CANCEL", err, wrote)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the lock wait held on for %v after the cancel", d)
	}
	// Without a cancel, the wait still ends at LockTimeout, as MAPI_E_BUSY.
	st = &Store{Root: root, LockTimeout: 50 * time.Millisecond, Context: context.Background()}
	if _, err := st.Lock("w"); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("timed out: %v; want MAPI_E_BUSY", err)
	}
}

// TestFreeLockTakenWhenCancelled: a cancelled Context ends only a wait; a
// free lock is still taken, so the step in hand finishes.
func TestFreeLockTakenWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st := &Store{Root: t.TempDir(), Context: ctx}
	unlock, err := st.Lock("w")
	if err != nil {
		t.Fatalf("free lock under a cancelled context: %v", err)
	}
	unlock()
}
