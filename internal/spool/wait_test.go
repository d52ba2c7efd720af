package spool

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// gate is a transport whose first Send blocks until released and then
// gives result; it reports when the Send started.
type gate struct {
	started chan struct{}
	release chan struct{}
	result  func(*transport.Envelope) (*transport.Result, error)
	once    sync.Once
}

func newGate(result func(*transport.Envelope) (*transport.Result, error)) *gate {
	return &gate{started: make(chan struct{}), release: make(chan struct{}), result: result}
}

func (g *gate) Send(_ context.Context, env *transport.Envelope, _ []byte) (*transport.Result, error) {
	g.once.Do(func() { close(g.started) })
	<-g.release
	return g.result(env)
}

func (g *gate) Close() error { return nil }

// sendWhileFlushed queues a message, starts a flush of the whole outbox
// (another process's `spool flush`) whose transport holds the message until
// released with result, and meanwhile flushes the message by ID with Wait
// (its `message send`) through its own transport. It returns the send's
// Outcome and that transport.
func sendWhileFlushed(t *testing.T, e *env, result func(*transport.Envelope) (*transport.Result, error)) (Outcome, *fakeTransport) {
	t.Helper()
	id := e.enqueue(testPayload("a@example.org", "b@example.org"))
	g := newGate(result)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.s.Flush(context.Background(), FlushOptions{Open: e.keys, Seal: e.keys,
			Resolve: func(*Record) (transport.Transport, error) { return g, nil }})
	}()
	<-g.started
	mine := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	var outs []Outcome
	var err error
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		outs, err = e.s.Flush(context.Background(), FlushOptions{IDs: []string{id}, Wait: true, Open: e.keys, Seal: e.keys,
			Resolve: func(*Record) (transport.Transport, error) { return mine, nil }})
	}()
	select {
	case <-sent:
		t.Fatalf("the send did not wait for the flush that holds its message: %+v, %v", outs, err)
	case <-time.After(50 * time.Millisecond):
	}
	close(g.release)
	<-done
	<-sent
	if err != nil || len(outs) != 1 || outs[0].ID != id {
		t.Fatalf("Flush = %+v, %v", outs, err)
	}
	return outs[0], mine
}

// A send whose message another flush delivers reports that delivery: sent,
// to its recipients, and never sends it a second time (issue 29).
func TestWaitReportsOtherFlushSent(t *testing.T) {
	e := newEnv(t)
	oc, mine := sendWhileFlushed(t, e, ok)
	if oc.State != "sent" || oc.Err != nil || oc.Skipped || oc.Result == nil || len(oc.Result.Accepted) != 2 {
		t.Fatalf("outcome %+v; want sent to both recipients", oc)
	}
	if mine.sends() != 0 {
		t.Fatalf("the message was sent again by the waiting send")
	}
}

// A send whose message another flush deferred reports that deferral (the
// server's reason, temporary), not a bare "not delivered", and does not
// try again at once.
func TestWaitReportsOtherFlushDeferred(t *testing.T) {
	e := newEnv(t)
	oc, mine := sendWhileFlushed(t, e, fails(transport.KindTemporary, 451, "4.3.0", "try later, mailbox busy"))
	var te *transport.Error
	if oc.State != StateQueued || oc.Skipped || !errors.As(oc.Err, &te) || te.Kind != transport.KindTemporary ||
		te.SMTPCode != 451 || te.Stage != transport.StageData || !strings.Contains(oc.Err.Error(), "try later, mailbox busy") {
		t.Fatalf("outcome %+v (err %v); want queued with the 451 reason", oc, oc.Err)
	}
	if strings.Count(oc.Err.Error(), "data:") != 1 {
		t.Errorf("reason %q repeats its stage", oc.Err.Error())
	}
	if mine.sends() != 0 {
		t.Fatalf("the waiting send tried again at once")
	}
}

// A permanent failure of the other flush is the send's failure (69's kind,
// with the reply); a partial delivery its partial outcome.
func TestWaitReportsOtherFlushFailedOrPartial(t *testing.T) {
	e := newEnv(t)
	oc, _ := sendWhileFlushed(t, e, fails(transport.KindPermanent, 554, "5.7.1", "message refused"))
	var te *transport.Error
	if oc.State != StateFailed || !errors.As(oc.Err, &te) || te.Kind != transport.KindPermanent || te.SMTPCode != 554 {
		t.Fatalf("outcome %+v (err %v); want failed with the 554", oc, oc.Err)
	}
	e = newEnv(t)
	oc, _ = sendWhileFlushed(t, e, func(env *transport.Envelope) (*transport.Result, error) {
		return &transport.Result{Accepted: env.To[:1], Rejected: []transport.Rejection{{Address: env.To[1], SMTPCode: 550, Message: "no such user"}}}, nil
	})
	if oc.State != "partial" || oc.Result == nil || len(oc.Result.Accepted) != 1 || oc.Result.Accepted[0] != "a@example.org" ||
		len(oc.Result.Rejected) != 1 || oc.Result.Rejected[0].Address != "b@example.org" {
		t.Fatalf("outcome %+v (result %+v); want partial: a accepted, b rejected", oc, oc.Result)
	}
}

// A holder that does not try the message (a recovery pass, a re-seal,
// `spool retry` making it due) is waited for, then the send delivers the
// message itself.
func TestWaitThenDeliver(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	c, err := e.s.claim(id)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(30*time.Millisecond, func() {
		// As `spool retry --all --state queued` does while it holds the
		// claim: a new revision, due now, no attempt (review finding).
		_, rec, err := e.s.find(id)
		if err == nil {
			rec.Rev++
			rec.NextAttempt = e.clock.now()
			err = e.s.writeRecord(outboxDir, rec)
		}
		if err != nil {
			t.Error(err)
		}
		c.release(false)
	})
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	outs := e.flushWith(tr, func(o *FlushOptions) { o.IDs, o.Wait = []string{id}, true })
	if len(outs) != 1 || outs[0].State != "sent" || tr.sends() != 1 {
		t.Fatalf("outcomes %+v, %d sends; want sent once", outs, tr.sends())
	}
	// Without Wait the busy message is skipped, as `spool flush ID` does.
	id = e.enqueue(testPayload())
	c, err = e.s.claim(id)
	if err != nil {
		t.Fatal(err)
	}
	defer c.release(false)
	outs = e.flushWith(tr, func(o *FlushOptions) { o.IDs = []string{id} })
	if len(outs) != 1 || !outs[0].Skipped {
		t.Fatalf("outcomes %+v; want skipped", outs)
	}
}

// The wait ends: with ctx (interrupted, 75) and after waitLimit (Busy); the
// message stays queued either way.
func TestWaitEnds(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	c, err := e.s.claim(id)
	if err != nil {
		t.Fatal(err)
	}
	defer c.release(false)
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	outs, _ := e.s.Flush(ctx, FlushOptions{IDs: []string{id}, Wait: true, Open: e.keys, Seal: e.keys,
		Resolve: func(*Record) (transport.Transport, error) { return tr, nil }})
	if len(outs) != 1 || outs[0].State != StateQueued || mapi.AsError(outs[0].Err).ExitStatus() != mapi.ExitQueued {
		t.Fatalf("interrupted wait: %+v; want queued, 75", outs)
	}
	save := waitLimit
	waitLimit = 20 * time.Millisecond
	defer func() { waitLimit = save }()
	outs = e.flushWith(tr, func(o *FlushOptions) { o.IDs, o.Wait = []string{id}, true })
	if len(outs) != 1 || outs[0].State != StateQueued || !mapi.IsCode(outs[0].Err, mapi.Busy) || tr.sends() != 0 {
		t.Fatalf("wait past its limit: %+v; want queued, Busy, nothing sent", outs)
	}
	if e.place(id) != outboxDir {
		t.Fatal("the message left the outbox")
	}
}

// A flush that took the message before the send's own claim (delivered,
// failed or deferred it in between) is reported the same way, not as "not
// found" (66) or a bare failure, and not tried again at once: the race
// issue 29's second CLI test found.
func TestWaitReportsFlushBeforeClaim(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		result func(*transport.Envelope) (*transport.Result, error)
		state  string
	}{
		{ok, "sent"},
		{fails(transport.KindPermanent, 550, "5.1.1", "no such user"), StateFailed},
		{fails(transport.KindTemporary, 451, "4.3.0", "no such user yet"), StateQueued},
	} {
		id := e.enqueue(testPayload())
		other := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){c.result}}
		e.flushWith(other, nil) // another process's spool flush
		mine := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
		outs := e.flushWith(mine, func(o *FlushOptions) { o.IDs, o.Wait = []string{id}, true })
		if len(outs) != 1 || outs[0].State != c.state || mine.sends() != 0 {
			t.Fatalf("outcomes %+v, %d sends; want %s, nothing sent again", outs, mine.sends(), c.state)
		}
		if c.state != "sent" && (outs[0].Err == nil || !strings.Contains(outs[0].Err.Error(), "no such user")) {
			t.Fatalf("failure %v; want the server's reason", outs[0].Err)
		}
		if c.state == StateQueued {
			continue // still in the outbox: its lock stays
		}
		if _, err := os.Stat(e.s.path(outboxDir, id, ".lock")); !os.IsNotExist(err) {
			t.Fatalf("the send left the lock of a message no longer in the outbox: %v", err)
		}
	}
}

// A lock left in the outbox beside a failed message (a crash) is removed by
// the next run's recovery; a queued message's lock stays (it is reused).
func TestStaleLockOfFailedMessageRemoved(t *testing.T) {
	e := newEnv(t)
	failed := e.fill(failedDir, 1)[0]
	queued := e.fill(outboxDir, 1)[0]
	for _, id := range []string{failed, queued} {
		if err := os.WriteFile(e.s.path(outboxDir, id, ".lock"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if recs, err := e.s.List(); err != nil || len(recs) != 2 {
		t.Fatalf("List = %d records, %v", len(recs), err)
	}
	if _, err := os.Stat(e.s.path(outboxDir, failed, ".lock")); !os.IsNotExist(err) {
		t.Errorf("the stale lock of the failed message stays: %v", err)
	}
	if _, err := os.Stat(e.s.path(outboxDir, queued, ".lock")); err != nil {
		t.Errorf("the queued message's lock was removed: %v", err)
	}
}
