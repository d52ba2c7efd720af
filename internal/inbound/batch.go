package inbound

// Batched durability for Maildir delivery (see "Batches" in doc.go).
//
// BenchmarkFirstFetch (200-byte messages into an empty Maildir, ext4 on a
// disk shared with other fsyncing processes, 2 cores; the two binaries run
// alternately, twice each, ns/msg):
//
//	                          1,000 msgs      10,000 msgs
//	before (4 fsyncs a msg)   1.85-2.95 ms    1.63-1.88 ms
//	after  (batched)          0.50-0.81 ms    0.55-0.59 ms
//
// For scale, on the same disk at the same time: a bare create+write loop
// 0.28 ms a file, create+write+fsync one by one (what mbsync does) 1.36 ms.
//
//	go test ./internal/inbound -run '^$' -bench 'FirstFetch/(1000|10000)$' -benchtime 1x

import (
	"os"
	"sync"
	"time"
)

// Batch limits: a batch is made durable when it holds batchMessages
// messages or batchBytes bytes, when the stream has paused for batchIdle
// (nothing handed over since the last message), and when the stream ends.
const (
	batchMessages = 64
	batchBytes    = 8 << 20
)

// batchIdle is the pause after which the pending messages are made
// durable without waiting for more (a variable for the tests).
var batchIdle = 200 * time.Millisecond

// pendingMsg is a message whose tmp/ file is written (and still open, not
// yet fsync'd) but which no intent names yet.
type pendingMsg struct {
	f                *os.File
	id, name, digest string
	size             int64
}

// drop closes and removes m's tmp/ file (no intent names it: nothing is
// lost; a file left over is written over by the next fetch).
func (r *run) drop(m pendingMsg) error {
	m.f.Close()
	return r.md.discard(m.name)
}

// batch collects the messages one Source.Fetch streams into tmp/ and
// makes them durable together. Its methods are safe for the fetching
// goroutine and the idle timer's; every use of the journal during the
// stream (including adopt) holds mu.
type batch struct {
	r *run

	mu      sync.Mutex
	pending []pendingMsg
	bytes   int64
	timer   *time.Timer
	closed  bool
	err     error // an idle flush's failure, returned by the next add or close
	crashed any   // a panic in an idle flush (a test failpoint), raised again in the fetching goroutine
}

func newBatch(r *run) *batch {
	b := &batch{r: r}
	b.timer = time.AfterFunc(time.Hour, b.idle)
	b.timer.Stop()
	return b
}

// lock takes mu and raises again a panic an idle flush met (a simulated
// crash: the fetching goroutine must not go on). The caller unlocks.
func (b *batch) lock() {
	b.mu.Lock()
	if p := b.crashed; p != nil {
		b.mu.Unlock()
		panic(p)
	}
}

// pendingName reports whether name is pending (a server listing one ID
// twice): the caller flushes before writing tmp/name again.
func (b *batch) pendingName(name string) bool {
	for _, m := range b.pending {
		if m.name == name {
			return true
		}
	}
	return false
}

// add queues m, written and fsync'd in tmp/, and flushes when the batch is
// full; otherwise it arms the idle timer.
func (b *batch) add(m pendingMsg) error {
	b.lock()
	defer b.mu.Unlock()
	if err := b.takeErr(); err != nil {
		b.r.drop(m)
		return err
	}
	b.pending = append(b.pending, m)
	b.bytes += m.size
	if len(b.pending) >= batchMessages || b.bytes >= batchBytes {
		b.timer.Stop()
		return b.flush()
	}
	b.timer.Reset(batchIdle)
	return nil
}

// takeErr returns and clears an idle flush's error.
func (b *batch) takeErr() error {
	err := b.err
	b.err = nil
	return err
}

// idle runs on the timer's goroutine: the stream paused, so make what is
// pending durable now.
func (b *batch) idle() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.crashed != nil || len(b.pending) == 0 {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			b.crashed = p
		}
	}()
	if err := b.flush(); err != nil && b.err == nil {
		b.err = err
	}
}

// close flushes what is pending and stops the timer; it returns an idle
// flush's error or the last flush's.
func (b *batch) close() error {
	b.lock()
	defer b.mu.Unlock()
	b.closed = true
	b.timer.Stop()
	err := b.takeErr()
	if ferr := b.flush(); err == nil {
		err = ferr
	}
	return err
}

// abandon stops the timer without flushing and waits for an idle flush in
// progress (deferred, so a crash simulated by a panic stops everything
// there, as a real crash would). Safe after close.
func (b *batch) abandon() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.timer.Stop()
	for _, m := range b.pending {
		m.f.Close()
	}
	b.pending = nil
}

// flush makes the pending messages durable and delivered, mu held: one
// fsync of each tmp/ file (concurrently), one fsync of tmp/, one journal append of every intent and its fsync, the
// renames, one fsync of new/, one journal append of the deliveries
// (fsync'd by the next batch's intents, a deletion's commit or the
// compaction: see doc.go).
func (b *batch) flush() error {
	p := b.pending
	b.pending, b.bytes = nil, 0
	if len(p) == 0 {
		return nil
	}
	r := b.r
	files := make([]*os.File, len(p))
	for i, m := range p {
		files[i] = m.f
	}
	err := syncFiles(files)
	if err == nil {
		err = r.md.syncTmp()
	}
	if err != nil {
		for _, m := range p {
			r.drop(m)
		}
		return deliverErr("sync the messages in the Maildir's tmp/", err)
	}
	crashPoint("after-fsync")
	intents := make([]record, len(p))
	for i, m := range p {
		intents[i] = record{T: "i", ID: m.id, N: m.name, D: m.digest, M: r.md.root}
	}
	// On a failure the intents may be on disk: the tmp/ files stay, for
	// recovery to finish.
	if err := r.j.appendAll(intents, true); err != nil {
		return err
	}
	crashPoint("after-intent")
	var linkErr error
	for i, m := range p {
		if i > 0 {
			crashPoint("between-links")
		}
		if err := r.md.link(m.name); err != nil {
			linkErr = deliverErr("move the message into new/", err)
			p = p[:i]
			break
		}
	}
	if len(p) == 0 {
		return linkErr
	}
	if err := r.md.syncNew(); err != nil {
		return deliverErr("sync the Maildir's new/", err)
	}
	crashPoint("after-link")
	done := make([]record, len(p))
	for i, m := range p {
		done[i] = record{T: "d", ID: m.id, D: m.digest}
	}
	if err := r.j.appendAll(done, false); err != nil {
		return err
	}
	crashPoint("after-deliveries")
	for _, m := range p {
		r.res.Fetched++
		r.res.Bytes += m.size
	}
	return linkErr
}
