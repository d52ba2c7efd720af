package inbound

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// manyBodies returns n distinct messages: more than one batch.
func manyBodies(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Subject: m%d\r\nMessage-ID: <same@x>\r\n\r\nbody %d\r\n", i, i)
	}
	return out
}

// The failpoints inside a batch, with hits in the first batch, at its
// edge and in the middle of a later one.
var batchPoints = []struct {
	point string
	hits  []int
}{
	{"after-write", []int{1, batchMessages, batchMessages + 7}},
	{"after-fsync", []int{1, 2}},
	{"after-intent", []int{1, 2}},
	{"between-links", []int{1, batchMessages - 2, batchMessages + 5}},
	{"after-link", []int{1, 2}},
	{"after-deliveries", []int{1, 2}},
}

// TestBatchCrashPoints crashes a fetch of several batches (Keep false) at
// every point inside a batch, then fetches again: every message in the
// Maildir exactly once, nothing left on the server, tmp/ empty.
func TestBatchCrashPoints(t *testing.T) {
	bodies := manyBodies(2*batchMessages + 9)
	for _, pop3 := range []bool{false, true} {
		for _, bp := range batchPoints {
			for _, hit := range bp.hits {
				t.Run(fmt.Sprintf("pop3=%v/%s/%d", pop3, bp.point, hit), func(t *testing.T) {
					fx := newFixture(t)
					v := "7"
					if pop3 {
						v = ""
					}
					src := newFake(v, bodies...)
					if !crashAt(bp.point, hit, func() { fx.fetch(t, src, fx.opts(false)) }) {
						t.Fatalf("no crash at %s/%d", bp.point, hit)
					}
					if len(src.Msgs) != len(bodies) {
						t.Fatal("deleted on the server before the run ended")
					}
					src.Close()
					fx.mustFetch(t, src, fx.opts(false))
					if got := maildirBodies(t, fx.md); !equal(got, sorted(bodies...)) {
						t.Fatalf("maildir: %d messages, want %d", len(got), len(bodies))
					}
					if len(src.Msgs) != 0 {
						t.Fatalf("%d left on the server", len(src.Msgs))
					}
					if tmp, _ := os.ReadDir(filepath.Join(fx.md, "tmp")); len(tmp) != 0 {
						t.Errorf("tmp/ left: %d files", len(tmp))
					}
				})
			}
		}
	}
}

// TestBatchKillAtFailpoints is TestBatchCrashPoints with a SIGKILL'd
// child process.
func TestBatchKillAtFailpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	bodies := manyBodies(batchMessages + 9)
	for _, bp := range batchPoints {
		hit := bp.hits[len(bp.hits)-1]
		if hit > len(bodies) {
			hit = bp.hits[1]
		}
		t.Run(fmt.Sprintf("%s/%d", bp.point, hit), func(t *testing.T) {
			fx := newFixture(t)
			src := newFake("11", bodies...)
			src.file = filepath.Join(t.TempDir(), "server.json")
			if err := src.save(); err != nil {
				t.Fatal(err)
			}
			child := func(crash string) error {
				c := exec.Command(exe, "-test.run=^$")
				c.Env = append(os.Environ(), "INBOUND_TEST_CHILD=fetch", "INBOUND_TEST_CRASH="+crash,
					"INBOUND_TEST_CRASH_N="+strconv.Itoa(hit), "INBOUND_TEST_SOURCE="+src.file,
					"INBOUND_TEST_STORE="+fx.store, "INBOUND_TEST_MAILDIR="+fx.md)
				out, err := c.CombinedOutput()
				if err != nil {
					return fmt.Errorf("%v: %s", err, out)
				}
				return nil
			}
			if err := child(bp.point); err == nil {
				t.Fatalf("the child was not killed at %s/%d", bp.point, hit)
			}
			if err := child(""); err != nil {
				t.Fatalf("second fetch: %v", err)
			}
			after, err := loadFake(src.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := maildirBodies(t, fx.md); !equal(got, sorted(bodies...)) {
				t.Fatalf("maildir: %d messages, want %d", len(got), len(bodies))
			}
			if len(after.Msgs) != 0 {
				t.Fatalf("%d left on the server", len(after.Msgs))
			}
		})
	}
}

// pausingSource is a fakeSource whose stream pauses after the message
// pauseAfter, calling pause before handing over the next one.
type pausingSource struct {
	*fakeSource
	pauseAfter string
	pause      func()
}

func (p *pausingSource) Fetch(ctx context.Context, ids []string, deliver func(string, io.Reader) error) error {
	return p.fakeSource.Fetch(ctx, ids, func(id string, r io.Reader) error {
		if err := deliver(id, r); err != nil {
			return err
		}
		if id == p.pauseAfter {
			p.pause()
		}
		return nil
	})
}

func shortIdle(t *testing.T) {
	old := batchIdle
	batchIdle = 5 * time.Millisecond
	t.Cleanup(func() { batchIdle = old })
}

// When the stream pauses, what is pending is delivered without waiting
// for the batch to fill or the stream to end.
func TestBatchFlushedWhenStreamPauses(t *testing.T) {
	shortIdle(t)
	fx := newFixture(t)
	var inNew int
	src := &pausingSource{fakeSource: newFake("5", testBodies...), pauseAfter: "3"}
	src.pause = func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			ents, _ := os.ReadDir(filepath.Join(fx.md, "new"))
			if inNew = len(ents); inNew == 3 {
				return
			}
		}
	}
	res := fx.mustFetch(t, src, fx.opts(true))
	if inNew != 3 {
		t.Fatalf("during the pause new/ held %d messages, want 3", inNew)
	}
	if res.Fetched != len(testBodies) {
		t.Fatalf("fetched %d", res.Fetched)
	}
	if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
		t.Fatalf("maildir %q", got)
	}
}

// A crash inside a flush the idle timer started stops the fetch (raised
// again in the fetching goroutine) and the next fetch delivers everything
// once.
func TestBatchCrashInIdleFlush(t *testing.T) {
	shortIdle(t)
	for _, point := range []string{"after-fsync", "after-intent", "between-links", "after-link", "after-deliveries"} {
		t.Run(point, func(t *testing.T) {
			fx := newFixture(t)
			src := &pausingSource{fakeSource: newFake("5", testBodies...), pauseAfter: "3",
				pause: func() { time.Sleep(200 * time.Millisecond) }}
			if !crashAt(point, 1, func() { fx.fetch(t, src, fx.opts(false)) }) {
				t.Fatal("no crash")
			}
			if len(src.Msgs) != len(testBodies) {
				t.Fatal("deleted on the server before the run ended")
			}
			src.Close()
			fx.mustFetch(t, src.fakeSource, fx.opts(false))
			if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
				t.Fatalf("maildir %q", got)
			}
			if len(src.Msgs) != 0 {
				t.Fatalf("%d left on the server", len(src.Msgs))
			}
		})
	}
}

// One batch costs one journal write for its intents and one for its
// deliveries, not one a message.
func TestBatchJournalWrites(t *testing.T) {
	old := batchIdle
	batchIdle = time.Hour // no idle flush, however slow the disk
	defer func() { batchIdle = old }()
	fx := newFixture(t)
	bodies := manyBodies(batchMessages + 1)
	src := newFake("9", bodies...)
	var intents, links int
	testOnlyCrashAt = func(p string) {
		switch p {
		case "after-intent":
			intents++
		case "between-links", "after-link":
			links++
		}
	}
	defer func() { testOnlyCrashAt = nil }()
	fx.mustFetch(t, src, fx.opts(true))
	if intents != 2 || links != len(bodies) {
		t.Fatalf("%d intent appends, %d renames for %d messages", intents, links, len(bodies))
	}
}
