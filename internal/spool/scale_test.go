package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// reads counts what the spool reads while it is installed (testOnlyRead):
// directory scans by directory, record reads by ID.
type reads struct {
	mu      sync.Mutex
	dirs    map[string]int
	records map[string]int
}

func countReads(t *testing.T) *reads {
	r := &reads{dirs: map[string]int{}, records: map[string]int{}}
	testOnlyRead = func(kind, name string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if kind == "dir" {
			r.dirs[name]++
		} else {
			r.records[name]++
		}
	}
	t.Cleanup(func() { testOnlyRead = nil })
	return r
}

func (r *reads) dirScans() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.dirs {
		n += c
	}
	return n
}

// fill writes n pairs straight into dir (outbox or failed), as Enqueue and
// a move write them but without a sync or a seal per message (one sealed
// payload is copied: List does not open payloads), so that a spool of
// thousands is built in a second. It returns the IDs.
func (e *env) fill(dir string, n int) []string {
	e.t.Helper()
	ct, err := e.keys.Seal([]byte(`{}`))
	if err != nil {
		e.t.Fatal(err)
	}
	state := StateQueued
	if dir == failedDir {
		state = StateFailed
	}
	ids := make([]string, n)
	for i := range ids {
		now := e.clock.now().Add(time.Duration(i) * time.Millisecond)
		id := mapi.NewID(now)
		rec := &Record{ID: id, Profile: "work", SectionUID: "sec-1", State: state, Created: now, NextAttempt: now}
		b, err := encodeRecord(rec)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, f := range []struct {
			ext  string
			data []byte
		}{{".age", ct}, {".json", b}} {
			if err := os.WriteFile(e.s.path(dir, id, f.ext), f.data, 0o600); err != nil {
				e.t.Fatal(err)
			}
		}
		ids[i] = id
	}
	return ids
}

// spool list, show all, sendmail -bp and retry/drop --all list the spool
// through List: with 5,000 messages it reads each spool directory once
// (outbox, failed, rejected) and each record once, however many there are
// (issue 29: it used to scan the outbox once per message).
func TestListReadsEachDirectoryAndRecordOnce(t *testing.T) {
	for _, n := range []int{50, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := newEnv(t)
			queued := e.fill(outboxDir, n)
			failed := e.fill(failedDir, n/10)
			// One message a crash left half-written: recovery removes its
			// temp file (it needs no directory read of its own for that).
			tmp := filepath.Join(e.s.Dir, outboxDir, "."+queued[0]+".0123456789ab"+tmpSuffix)
			if err := os.WriteFile(tmp, []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
			r := countReads(t)
			recs, err := e.s.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != n+n/10 {
				t.Fatalf("List returned %d records; want %d", len(recs), n+n/10)
			}
			if got := r.dirScans(); got > 3 {
				t.Errorf("List read spool directories %d times (%v); want at most 3 (outbox, failed, rejected)", got, r.dirs)
			}
			for _, id := range append(queued, failed...) {
				if r.records[id] != 1 {
					t.Fatalf("record %s read %d times; want once", id, r.records[id])
				}
			}
			if _, err := os.Stat(tmp); !os.IsNotExist(err) {
				t.Errorf("the temp file was not removed: %v", err)
			}
			// spool drop --all: one read of the spool for the list and
			// the drops.
			before := r.dirScans()
			ids, done, fails, err := e.s.DropIn(StateFailed)
			if err != nil || len(ids) != n/10 || len(done) != n/10 || len(fails) != 0 {
				t.Fatalf("DropIn(failed): %d IDs, %d done, %v, %v", len(ids), len(done), fails, err)
			}
			if got := r.dirScans() - before; got > 3 {
				t.Errorf("DropIn of %d read spool directories %d times; want at most 3", len(ids), got)
			}
			if recs, _ := e.s.List(); len(recs) != n {
				t.Errorf("%d messages left after dropping the failed ones; want the %d queued", len(recs), n)
			}
		})
	}
}

// A flush of the whole outbox scans it once and reads each record once
// (under the message's claim), and its re-seal of orphans reads nothing
// more when no message was queued under a session.
func TestFlushReadsEachDirectoryAndRecordOnce(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for range 200 {
		ids = append(ids, e.enqueue(testPayload()))
	}
	r := countReads(t)
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	outs := e.flushWith(tr, nil)
	if len(outs) != 200 || tr.sends() != 200 {
		t.Fatalf("%d outcomes, %d sends; want 200", len(outs), tr.sends())
	}
	if got := r.dirScans(); got > 2 {
		t.Errorf("Flush read spool directories %d times (%v); want at most 2 (outbox, failed)", got, r.dirs)
	}
	for _, id := range ids {
		if r.records[id] != 1 {
			t.Fatalf("record %s read %d times; want once", id, r.records[id])
		}
	}
	if tr.closed != 1 {
		t.Errorf("transport closed %d times; want 1 (one connection for the whole flush)", tr.closed)
	}
}
