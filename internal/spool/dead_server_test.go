package spool

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/transport"
)

// sendCounter counts the Sends that reach the real transport.
type sendCounter struct {
	transport.Transport
	sends atomic.Int32
}

func (c *sendCounter) Send(ctx context.Context, env *transport.Envelope, msg []byte) (*transport.Result, error) {
	c.sends.Add(1)
	return c.Transport.Send(ctx, env, msg)
}

// silentListener accepts connections and never answers; it counts accepts.
func silentListener(t *testing.T) (port int, accepts func() int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	n := 0
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			n++
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().(*net.TCPAddr).Port, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// deadServerFlush queues 20 messages for one section behind port, flushes
// them and checks that exactly one Send reached the transport and that every
// message stays queued with the reason of that first failure.
func deadServerFlush(t *testing.T, port int, security string) (string, *sendCounter) {
	t.Helper()
	e := newEnv(t)
	var ids []string
	for range 20 {
		ids = append(ids, e.enqueue(testPayload()))
	}
	var ct *sendCounter
	resolves := 0
	out := e.flushWith(nil, func(o *FlushOptions) {
		o.Resolve = func(*Record) (transport.Transport, error) {
			resolves++
			tr, err := transport.New(transport.Config{Kind: "smtp", Hostname: "client.test", Timeout: time.Second,
				SMTP: transport.SMTPConfig{Host: "127.0.0.1", Port: port, Security: security, Auth: "none"}})
			if err != nil {
				return nil, err
			}
			ct = &sendCounter{Transport: tr}
			return ct, nil
		}
	})
	if resolves != 1 || ct == nil {
		t.Fatalf("resolves = %d", resolves)
	}
	if len(out) != 20 {
		t.Fatalf("%d outcomes, want 20: %+v", len(out), out)
	}
	reason := out[0].Err.Error()
	for i, oc := range out {
		if oc.State != StateQueued || oc.Skipped || oc.Err == nil || oc.Err.Error() != reason {
			t.Errorf("outcome %d = %+v (%v), want queued with %q", i, oc, oc.Err, reason)
		}
	}
	for _, id := range ids {
		if e.place(id) != outboxDir {
			t.Errorf("message %s is in %q, want outbox", id, e.place(id))
		}
		rec, p, err := e.s.Load(id, e.keys)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Attempts != 1 || rec.ErrorKind != "temporary" || !rec.NextAttempt.After(e.clock.now()) || p.Reason != reason {
			t.Errorf("message %s: attempts %d, kind %q, next %v, reason %q; want 1, temporary, later, %q",
				id, rec.Attempts, rec.ErrorKind, rec.NextAttempt, p.Reason, reason)
		}
	}
	if n := ct.sends.Load(); n != 1 {
		t.Errorf("%d sends reached the transport, want 1 (the others deferred at once)", n)
	}
	return reason, ct
}

// Issue 25: a server that accepts and never answers costs one timeout per
// flush and section, not one per message.
func TestFlushDeadServerSilent(t *testing.T) {
	port, accepts := silentListener(t)
	reason, _ := deadServerFlush(t, port, "none")
	if n := accepts(); n != 1 {
		t.Errorf("%d connections accepted, want exactly 1", n)
	}
	if !strings.Contains(reason, "timed out") {
		t.Errorf("reason %q does not say it timed out", reason)
	}
}

// The same for a TLS handshake that times out (implicit TLS to a silent
// server).
func TestFlushDeadServerTLSHandshakeTimeout(t *testing.T) {
	port, accepts := silentListener(t)
	reason, _ := deadServerFlush(t, port, "tls")
	if n := accepts(); n != 1 {
		t.Errorf("%d connections accepted, want exactly 1", n)
	}
	if !strings.HasPrefix(reason, "tls: ") {
		t.Errorf("reason %q is not of stage tls", reason)
	}
}

// And for a port where nobody listens (connection refused).
func TestFlushDeadServerRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	reason, _ := deadServerFlush(t, port, "none")
	if !strings.HasPrefix(reason, "connect: ") {
		t.Errorf("reason %q is not of stage connect", reason)
	}
}

// A certificate that does not verify is not a dead server: each message
// still fails (SPEC §7), none is deferred by it.
func TestFlushDeadServerNotForPermanent(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		e.enqueue(testPayload())
	}
	ft := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		func(*transport.Envelope) (*transport.Result, error) {
			return nil, &transport.Error{Kind: transport.KindTLS, Stage: transport.StageTLS, Message: "certificate does not verify"}
		},
	}}
	out := e.flushWith(ft, nil)
	if ft.sends() != 3 {
		t.Errorf("%d sends, want 3", ft.sends())
	}
	for _, oc := range out {
		if oc.State != StateFailed {
			t.Errorf("%+v, want failed", oc)
		}
	}
}

// A reply of the server (even 4xx at connect) is no dead server either:
// the next message is still tried.
func TestFlushDeadServerNotForReplies(t *testing.T) {
	e := newEnv(t)
	for range 3 {
		e.enqueue(testPayload())
	}
	ft := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		func(*transport.Envelope) (*transport.Result, error) {
			return nil, &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageConnect, SMTPCode: 421, Message: "busy"}
		},
		ok,
	}}
	out := e.flushWith(ft, nil)
	if ft.sends() != 3 || out[0].State != StateQueued || out[1].State != "sent" || out[2].State != "sent" {
		t.Errorf("%d sends, outcomes %+v", ft.sends(), out)
	}
}
