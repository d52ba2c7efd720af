package transport

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// imapConn is the connection go-imap's client reads and writes: the TLS
// (or plain) connection, with
//
//   - a replayed greeting read first, when the STARTTLS dialogue was ours
//     (imap_dial.go): go-imap can only start from a greeting;
//   - the -v transcript tap above TLS, one writer per direction;
//   - our read deadlines instead of go-imap's. go-imap clears the deadline
//     between responses, so a server that goes silent before answering
//     would hang a command forever; it also sets 30 s and 5 min deadlines
//     of its own. Here, while the client waits for the server (busy), every
//     read must see a byte within timeout; while it does not (between
//     calls, or while IDLE waits for mail), reads wait forever. Time the
//     caller spends outside Read (writing a message to disk between two
//     reads of its literal) never counts.
type imapConn struct {
	net.Conn           // the TLS or plain connection
	replay   io.Reader // the replayed greeting, nil when none or read
	log      *imapTranscript
	timeout  time.Duration

	mu      sync.Mutex
	busy    bool
	readErr error // sticky: a read that failed (a timeout above all) is final

	// sasl is set while AUTHENTICATE runs: go-imap (v2.0.0-beta.9) sends an
	// empty SASL response to a server challenge as "=", the SASL-IR form
	// (RFC 4959) that belongs in the command line only; in a continued
	// response an empty one is an empty line (RFC 9051 §6.2.2), and Dovecot
	// refuses "=" ("Invalid base64 data in continued response"). SCRAM's
	// last step is such an empty response. Write turns that line into an
	// empty one.
	sasl bool
}

// Read implements net.Conn.
func (c *imapConn) Read(p []byte) (int, error) {
	if c.replay != nil {
		n, err := c.replay.Read(p)
		if errors.Is(err, io.EOF) {
			c.replay, err = nil, nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
	c.mu.Lock()
	if err := c.readErr; err != nil {
		c.mu.Unlock()
		return 0, err
	}
	if c.busy {
		c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	c.mu.Unlock()
	n, err := c.Conn.Read(p)
	if n > 0 && c.log != nil {
		c.log.server().Write(p[:n])
	}
	if err != nil {
		// go-imap's decoder reads again after a failure; each read would
		// wait a whole timeout more.
		c.mu.Lock()
		c.readErr = err
		c.mu.Unlock()
	}
	return n, err
}

// Write implements net.Conn.
func (c *imapConn) Write(p []byte) (int, error) {
	if c.sasl && string(p) == "=\r\n" {
		if _, err := c.Conn.Write([]byte("\r\n")); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if c.log != nil {
		// Logged before it is sent, so that the transcript shows the
		// command before the server's answer to it.
		c.log.client().Write(p)
	}
	return c.Conn.Write(p)
}

// SetReadDeadline ignores go-imap's read deadlines (see imapConn).
func (c *imapConn) SetReadDeadline(time.Time) error { return nil }

// SetDeadline keeps go-imap's write deadline only.
func (c *imapConn) SetDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(t) }

// setBusy says whether the client now waits for the server. Going busy
// arms the deadline of a read already blocked; going idle disarms it.
func (c *imapConn) setBusy(busy bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy = busy
	if busy {
		c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	} else {
		c.Conn.SetReadDeadline(time.Time{})
	}
}

// whileIdle runs f with the connection idle (no read deadline), then
// makes it busy again with a fresh deadline: for waiting on something
// other than the server (the OAuth 2.0 provider) in the middle of a step.
func (c *imapConn) whileIdle(f func()) {
	c.setBusy(false)
	defer c.setBusy(true)
	f()
}

// imapExactReader passes on exactly n bytes of r, a literal: where go-imap's
// literal reader ends early with io.EOF when the connection drops inside
// the literal, this one reports io.ErrUnexpectedEOF, so a truncated
// message is never taken for a whole one. err keeps the first failure of r
// (for telling a broken connection from the caller's own error).
type imapExactReader struct {
	r   io.Reader
	n   int64 // bytes still to come
	err error
}

func (e *imapExactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err // never touch r again: go-imap reads on past a failure
	}
	if e.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	n, err := e.r.Read(p)
	e.n -= int64(n)
	switch {
	case e.n == 0:
		return n, nil
	case errors.Is(err, io.EOF):
		err = io.ErrUnexpectedEOF
	}
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}
