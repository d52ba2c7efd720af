package spool

import (
	"errors"
	"reflect"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestBatch(t *testing.T) {
	boom := errors.New("boom")
	done, fails := Batch([]string{"a", "b", "c"}, func(id string) error {
		if id == "b" {
			return boom
		}
		return nil
	})
	if !reflect.DeepEqual(done, []string{"a", "c"}) || !reflect.DeepEqual(fails, []IDFailure{{"b", boom}}) {
		t.Fatalf("done %q, fails %v", done, fails)
	}
	if done, _ := Batch(nil, nil); done == nil {
		t.Fatal("done is nil, want an empty list (JSON [])")
	}
}

// BatchError: one failure is itself; several are one error naming them,
// coded by the first that is not "not found".
func TestBatchError(t *testing.T) {
	missing := func() error { return mapi.Errorf(mapi.NotFound, "gone") }
	busy := mapi.Errorf(mapi.Busy, "being delivered").WithHint("wait").WithExit(75)
	corrupt := mapi.Errorf(mapi.CorruptData, "bad record")

	if err, others := BatchError("requeued", 3, nil); err != nil || others != nil {
		t.Fatalf("none: %v %v", err, others)
	}
	if err, others := BatchError("requeued", 3, []IDFailure{{"a", busy}}); err != error(busy) || others != nil {
		t.Fatalf("one: %v %v", err, others)
	}

	err, others := BatchError("requeued", 4, []IDFailure{{"a", missing()}, {"b", missing()}})
	e := mapi.AsError(err)
	if e.Code != mapi.NotFound || e.Msg != "2 of 4 messages not requeued; not found: a, b" || len(e.Hints) != 1 || others != nil {
		t.Fatalf("all missing: %+v %v", e, others)
	}

	err, others = BatchError("dropped", 5, []IDFailure{{"a", missing()}, {"b", busy}, {"c", corrupt}})
	e = mapi.AsError(err)
	if e.Code != mapi.Busy || e.ExitStatus() != 75 || e.Msg != "3 of 5 messages not dropped; not found: a; failed: b, c" ||
		!reflect.DeepEqual(e.Hints, []string{"wait"}) || !errors.Is(err, busy) {
		t.Fatalf("mixed: %+v", e)
	}
	if len(others) != 2 || others[0] != busy || others[1] != corrupt {
		t.Fatalf("others %v", others)
	}
}

func TestTally(t *testing.T) {
	var tl Tally
	for _, oc := range []Outcome{{State: "sent"}, {State: "partial"}, {State: StateQueued}, {State: StateFailed},
		{State: StateRejected}, {State: StateQueued, Skipped: true}} {
		tl.Add(oc)
	}
	if tl != (Tally{Sent: 2, Queued: 1, Failed: 1, Rejected: 1}) {
		t.Fatalf("%+v", tl)
	}
}
