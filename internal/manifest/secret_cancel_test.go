package manifest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCommandStopsWithContext: a {command: ...} runs under the resolver's
// Context (main's, cancelled by SIGINT and SIGTERM once a prompt armed
// them): cancelling it stops the command, a child it left holding the
// output included, and is MAPI_E_USER_CANCEL, so that profile apply writes
// nothing, instead of the signal being swallowed while the command runs
// on to its one-minute timeout and the profile is written after all.
func TestCommandStopsWithContext(t *testing.T) {
	dir := t.TempDir()
	m := credDoc(`{command: [sh, -c, "touch started; sleep 30; touch finished; echo pw"]}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for i := 0; i < 500; i++ {
			if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	sec, err := (&Resolver{Dir: dir, AllowCommands: true, Context: ctx}).ResolveAll(m)
	if codeName(err) != "MAPI_E_USER_CANCEL" || sec != nil {
		t.Fatalf("cancelled: %v, %v; want MAPI_E_USER_CANCEL", sec, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the cancelled command held on for %v", d)
	}

	// Cancelled before: nothing runs.
	_, err = (&Resolver{Dir: dir, AllowCommands: true, Context: ctx}).ResolveAll(credDoc(`{command: [sh, -c, "touch ran; echo pw"]}`))
	if _, serr := os.Stat(filepath.Join(dir, "ran")); codeName(err) != "MAPI_E_USER_CANCEL" || serr == nil {
		t.Fatalf("cancelled before: %v (ran: %v)", err, serr == nil)
	}
}
