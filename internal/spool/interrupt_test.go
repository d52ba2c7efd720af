package spool

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// ctxTransport runs step for each Send with the flush's ctx.
type ctxTransport struct {
	sends int
	step  func(ctx context.Context, n int, env *transport.Envelope) (*transport.Result, error)
}

func (c *ctxTransport) Send(ctx context.Context, env *transport.Envelope, _ []byte) (*transport.Result, error) {
	c.sends++
	return c.step(ctx, c.sends, env)
}

func (c *ctxTransport) Close() error { return nil }

// interruptedSend is what a transport returns for a delivery that ctx cut
// short (transport.classify): temporary, the ctx's error inside.
func interruptedSend(ctx context.Context) error {
	return &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageData,
		Err: ctx.Err(), Message: "interrupted: " + ctx.Err().Error()}
}

func (e *env) flushCtx(ctx context.Context, tr transport.Transport) ([]Outcome, error) {
	e.t.Helper()
	return e.s.Flush(ctx, FlushOptions{Open: e.keys, Seal: e.keys,
		Resolve: func(*Record) (transport.Transport, error) { return tr, nil }})
}

func (e *env) record(id string) (string, Record) {
	e.t.Helper()
	dir, rec, err := e.s.find(id)
	if err != nil {
		e.t.Fatal(err)
	}
	return dir, *rec
}

func checkInterrupted(t *testing.T, err error, wantMsg string) {
	t.Helper()
	if !Interrupted(err) {
		t.Fatalf("Flush error = %v; want the interrupted error", err)
	}
	e := mapi.AsError(err)
	if e.Code != mapi.NetworkError || e.ExitStatus() != mapi.ExitQueued || e.Msg != wantMsg {
		t.Errorf("error = %s %d %q; want MAPI_E_NETWORK_ERROR 75 %q", e.Code.Name, e.ExitStatus(), e.Msg, wantMsg)
	}
}

// A delivery cut short by the signal leaves its message queued with its
// record as it was (no attempt counted, no backoff), and the flush takes no
// further message.
func TestFlushInterruptedKeepsRecord(t *testing.T) {
	e := newEnv(t)
	ids := []string{e.enqueue(testPayload()), e.enqueue(testPayload()), e.enqueue(testPayload())}
	_, before := e.record(ids[0])
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &ctxTransport{step: func(ctx context.Context, _ int, _ *transport.Envelope) (*transport.Result, error) {
		cancel() // the signal arrives while the server has the message
		<-ctx.Done()
		return nil, interruptedSend(ctx)
	}}
	out, err := e.flushCtx(ctx, tr)
	checkInterrupted(t, err, "interrupted: 3 messages stay queued")
	if tr.sends != 1 {
		t.Errorf("sends = %d; want 1 (no message taken after the signal)", tr.sends)
	}
	if len(out) != 1 || out[0].ID != ids[0] || out[0].State != StateQueued {
		t.Fatalf("outcomes = %+v; want the first message queued", out)
	}
	for _, id := range ids {
		if p := e.place(id); p != outboxDir {
			t.Errorf("message %s in %q; want outbox", id, p)
		}
	}
	if _, after := e.record(ids[0]); !reflect.DeepEqual(before, after) {
		t.Errorf("record changed by the interrupted delivery:\n before %+v\n after  %+v", before, after)
	}
	if e.sentLog() != "" {
		t.Errorf("sent.log = %q; want nothing delivered", e.sentLog())
	}
}

// A message the server accepted before the signal is marked sent; the
// rest stay queued, and the error counts them.
func TestFlushInterruptedAfterAccept(t *testing.T) {
	e := newEnv(t)
	ids := []string{e.enqueue(testPayload()), e.enqueue(testPayload())}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &ctxTransport{step: func(_ context.Context, _ int, env *transport.Envelope) (*transport.Result, error) {
		cancel() // the signal arrives just as the server says 250
		return &transport.Result{Accepted: env.To}, nil
	}}
	out, err := e.flushCtx(ctx, tr)
	checkInterrupted(t, err, "interrupted: 1 message stays queued")
	if len(out) != 1 || out[0].State != "sent" {
		t.Fatalf("outcomes = %+v; want the first message sent", out)
	}
	if p := e.place(ids[0]); p != "" {
		t.Errorf("the accepted message is still in %s", p)
	}
	if !strings.Contains(e.sentLog(), ids[0]) {
		t.Errorf("sent.log = %q; want the accepted message", e.sentLog())
	}
	if p := e.place(ids[1]); p != outboxDir {
		t.Errorf("the second message is in %q; want outbox", p)
	}
}

// A server's own reply that arrives as ctx ends is a reply, not an
// interruption: a 5xx fails the message as always. Nothing is left, so
// Flush returns no error.
func TestFlushReplyDuringCancelIsNotInterruption(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &ctxTransport{step: func(context.Context, int, *transport.Envelope) (*transport.Result, error) {
		cancel()
		return fails(transport.KindPermanent, 550, "5.1.1", "no such user")(nil)
	}}
	out, err := e.flushCtx(ctx, tr)
	if err != nil {
		t.Fatalf("Flush: %v; want no error (nothing left queued)", err)
	}
	if len(out) != 1 || out[0].State != StateFailed || e.place(id) != failedDir {
		t.Errorf("outcomes = %+v, place %q; want failed", out, e.place(id))
	}
}

// A flush whose ctx ended before it began tries nothing and names the one
// message it was asked for.
func TestFlushCancelledBeforeStart(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr := &ctxTransport{step: func(context.Context, int, *transport.Envelope) (*transport.Result, error) {
		t.Error("Send called after the signal")
		return nil, nil
	}}
	out, err := e.s.Flush(ctx, FlushOptions{IDs: []string{id}, Open: e.keys, Seal: e.keys,
		Resolve: func(*Record) (transport.Transport, error) { return tr, nil }})
	checkInterrupted(t, err, "interrupted: message "+id+" stays queued")
	if len(out) != 0 || e.place(id) != outboxDir {
		t.Errorf("outcomes %+v, place %q; want none and outbox", out, e.place(id))
	}
}

// A resolver interrupted (a prompt the signal ended) does not fail the
// message: it stays queued as it was.
func TestFlushInterruptedResolve(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	_, before := e.record(id)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, err := e.s.Flush(ctx, FlushOptions{Open: e.keys, Seal: e.keys,
		Resolve: func(*Record) (transport.Transport, error) {
			cancel()
			return nil, mapi.Errorf(mapi.UserCancel, "cancelled")
		}})
	checkInterrupted(t, err, "interrupted: 1 message stays queued")
	if len(out) != 1 || out[0].State != StateQueued || e.place(id) != outboxDir {
		t.Errorf("outcomes %+v, place %q; want queued in outbox", out, e.place(id))
	}
	if _, after := e.record(id); !reflect.DeepEqual(before, after) {
		t.Errorf("record changed: %+v -> %+v", before, after)
	}
}

// With the real SMTP transport and a server that accepts TCP and never
// answers, a cancelled flush returns at once, long before the transport's
// own timeout, and the message stays queued untouched.
func TestFlushInterruptedSilentServer(t *testing.T) {
	port, accepts := silentListener(t)
	e := newEnv(t)
	id := e.enqueue(testPayload())
	_, before := e.record(id)
	tr, err := transport.New(transport.Config{Kind: "smtp", Hostname: "client.test", Timeout: 30 * time.Second,
		SMTP: transport.SMTPConfig{Host: "127.0.0.1", Port: port, Security: "none", Auth: "none"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for accepts() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	_, err = e.flushCtx(ctx, tr)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Flush took %v after connecting; want well under 2s", d)
	}
	checkInterrupted(t, err, "interrupted: 1 message stays queued")
	if _, after := e.record(id); !reflect.DeepEqual(before, after) {
		t.Errorf("record changed: %+v -> %+v", before, after)
	}
	tmp, _ := filepath.Glob(filepath.Join(e.s.Dir, outboxDir, ".*.tmp"))
	if len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	if _, err := os.Stat(filepath.Join(e.s.Dir, outboxDir, id+".age")); err != nil {
		t.Error(err)
	}
}

// An interrupted flush of one section counts only that section's messages
// as left: when the selected message was sent before the signal, the flush
// ends without the interrupted error though another section's message,
// never selected, is still queued.
func TestFlushInterruptedCountsSelectedOnly(t *testing.T) {
	e := newEnv(t)
	mine := e.enqueue(testPayload())
	e.clock.add(time.Millisecond)
	other, err := e.s.Enqueue(e.keys, "work", "sec-2", "", testPayload())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &ctxTransport{step: func(ctx context.Context, _ int, env *transport.Envelope) (*transport.Result, error) {
		cancel() // the signal arrives after the server accepted the message
		return &transport.Result{Accepted: env.To}, nil
	}}
	out, err := e.s.Flush(ctx, FlushOptions{Open: e.keys, Seal: e.keys, SectionUID: "sec-1",
		Resolve: func(*Record) (transport.Transport, error) { return tr, nil }})
	if err != nil {
		t.Fatalf("Flush = %v; want nil: the one selected message was sent", err)
	}
	if len(out) != 1 || out[0].ID != mine || out[0].State != "sent" {
		t.Fatalf("outcomes = %+v; want %s sent", out, mine)
	}
	if dir, _ := e.record(other); dir != outboxDir {
		t.Fatalf("the other section's message is in %s; want the outbox", dir)
	}
}
