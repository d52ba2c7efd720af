package transport

import (
	"context"
	"time"
)

// smtpTransport is the smtp Transport and Verifier. It keeps one
// connection between Send calls.
type smtpTransport struct {
	s       *smtpSettings
	creds   Credentials
	timeout time.Duration
	log     *transcript // nil unless Config.Verbose
	cur     *smtpConn   // open connection, nil if none
	// dirty: cur's last transaction did not end with the message accepted
	// (a refusal, or one cut short), so the server may hold its state:
	// RSET before the next. A transaction that ended with the message
	// accepted leaves the server ready for MAIL (RFC 5321 §4.1.1.4), and
	// the next message starts at once: one round trip less a message.
	dirty bool
	// reused: cur carried a transaction before the one under way.
	reused bool
}

var (
	_ Transport = (*smtpTransport)(nil)
	_ Verifier  = (*smtpTransport)(nil)
)

func newSMTP(cfg Config) (*smtpTransport, error) {
	s, err := smtpSettingsFrom(cfg)
	if err != nil {
		return nil, err
	}
	t := &smtpTransport{s: s, creds: cfg.Credentials, timeout: cfg.Timeout}
	if cfg.Verbose != nil {
		t.log = newTranscript(cfg.Verbose)
	}
	return t, nil
}

// Verify connects, secures, greets, authenticates (if credentials are held)
// and quits, on a connection of its own. Errors are *Error.
func (t *smtpTransport) Verify(ctx context.Context) error {
	sc, err := t.dial(ctx)
	if err != nil {
		return err
	}
	stop := t.watch(ctx, sc)
	defer stop()
	if err := sc.c.Quit(); err != nil {
		sc.c.Close()
		return classify(ctx, StageQuit, err)
	}
	return nil
}

// Close sends QUIT on the open connection, if any, and closes it. It takes
// no context (the [Transport] interface): QUIT waits at most the step
// timeout. Errors are *Error of stage "quit".
func (t *smtpTransport) Close() error {
	sc := t.cur
	t.cur = nil
	if sc == nil {
		return nil
	}
	defer sc.c.Close()
	if err := sc.c.Quit(); err != nil {
		return classifyFailure(StageQuit, err)
	}
	return nil
}

// drop closes the current connection without QUIT (its state is unknown).
func (t *smtpTransport) drop() {
	if t.cur != nil {
		t.cur.c.Close()
		t.cur = nil
	}
}

// conn returns a live connection: the kept one (after a successful RSET
// when dirty), or a new one. A kept connection that fails RSET is silently
// replaced, as is one the server closed before MAIL (Send); nothing is
// ever sent twice, since no message data went over either.
func (t *smtpTransport) conn(ctx context.Context) (*smtpConn, error) {
	if t.cur != nil && t.dirty {
		stop := t.watch(ctx, t.cur)
		err := t.cur.c.Reset()
		stop()
		if err != nil || ctx.Err() != nil {
			if t.log != nil {
				t.log.note("connection no longer usable, reconnecting")
			}
			t.drop()
		}
	}
	if t.cur == nil {
		sc, err := t.dial(ctx)
		if err != nil {
			return nil, err
		}
		t.cur, t.reused = sc, false
		return sc, nil
	}
	t.reused = true
	return t.cur, nil
}

// watch closes sc's connection if ctx ends before the returned stop is
// called.
func (t *smtpTransport) watch(ctx context.Context, sc *smtpConn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { sc.raw.Close() })
}
