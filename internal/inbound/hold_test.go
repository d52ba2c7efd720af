package inbound

import (
	"context"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// A Held lock is kept across fetches: Held.Fetch delivers exactly once,
// another Fetch of the account waits, then gives up (75); after Release
// it runs.
func TestHoldAcrossFetches(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	h, err := Hold(ctx, fx.store, fx.a, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	src := newFake("9", testBodies[:2]...)
	o := fx.opts(true)
	if res, err := h.Fetch(ctx, src, o); err != nil || res.Fetched != 2 {
		t.Fatalf("held fetch: %+v %v", res, err)
	}
	src.add("5", "Subject: later\r\n\r\nx\r\n")
	if res, err := h.Fetch(ctx, src, o); err != nil || res.Fetched != 1 {
		t.Fatalf("second held fetch: %+v %v", res, err)
	}
	if res, err := h.Fetch(ctx, src, Options{Maildir: fx.md, Keep: true, DryRun: true}); err != nil || len(res.Pending) != 0 {
		t.Fatalf("held dry run: %+v %v", res, err)
	}
	o.LockTimeout = 200 * time.Millisecond
	if _, err := fx.fetch(t, src, o); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("fetch beside a held lock: %v", err)
	}
	if err := h.Release(); err != nil {
		t.Fatal(err)
	}
	if err := h.Release(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if res := fx.mustFetch(t, src, o); res.Fetched != 0 {
		t.Fatalf("after release: fetched %d again", res.Fetched)
	}
	if got := maildirBodies(t, fx.md); len(got) != 3 {
		t.Fatalf("maildir holds %d messages", len(got))
	}
	h2, err := Hold(ctx, fx.store, fx.a, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Release()
	if _, err := Hold(ctx, fx.store, fx.a, 100*time.Millisecond); !mapi.IsCode(err, mapi.Busy) {
		t.Fatalf("second hold: %v", err)
	}
}
