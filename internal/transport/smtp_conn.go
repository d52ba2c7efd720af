package transport

// Why the STARTTLS dialogue is run here and not by go-smtp (issue 26 asks
// for go-smtp's NewClientStartTLS/Hello unless a measured reason says
// otherwise). Measured against go-smtp v0.25.1 (client.go), held by
// TestGoSMTPStartTLSStillUnfit in smtp_conn_test.go:
//
//   - it has no exported StartTLS: NewClientStartTLS (and DialStartTLS) is
//     the only way, and it says EHLO before Hello can set our name, so the
//     plaintext EHLO would always be "EHLO localhost" whatever smtp.helo
//     or the host name say;
//   - it wraps the connection it was given in tls.Client itself, so a
//     transcript connection under it sees only ciphertext after STARTTLS;
//     the one tap above TLS, Client.DebugWriter, merges both directions into
//     one writer, and the -v transcript decides what to redact by direction
//     (what the client sends during AUTH), never by what the server sends;
//   - it starts the handshake lazily on the next command's write, outside
//     any context, so a certificate failure would surface as an EHLO error;
//   - it drops plaintext that followed the 220 to STARTTLS silently; we
//     refuse it (tlsconf.ErrDataBeforeHandshake).
//
// So the greeting, the first EHLO and STARTTLS are ours (textproto, a few
// lines), the handshake is tlsconf's, and go-smtp is handed the TLS
// connection with a replayed greeting (fakeGreeting) and runs everything
// from the second EHLO on: Hello, AUTH, MAIL, RCPT, DATA, RSET, QUIT. With
// implicit TLS and without TLS go-smtp runs the whole dialogue. When
// go-smtp gains a StartTLS that EHLOs with our name first and lets the
// caller wrap the TLS connection, delete startTLS, fakeGreeting,
// replayConn and transcript.suppress.

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// smtpConn is one established, greeted and (if configured) authenticated
// SMTP connection.
type smtpConn struct {
	c    *smtp.Client
	conn net.Conn // what the client reads and writes; deadlines go here
	raw  net.Conn // the TCP connection, closed to interrupt
}

// fakeGreeting is fed to go-smtp after a STARTTLS we ran ourselves: go-smtp
// can only start from a greeting, and a TLS client never gets a second one.
// The transcript writer drops it.
const fakeGreeting = "220 mapictl-starttls-resume"

// dial connects, secures, greets and authenticates, every step under ctx:
// ending ctx closes the connection, which interrupts whatever step is
// blocked, and the error is then temporary. On error nothing stays open.
// Errors are *Error.
func (t *smtpTransport) dial(ctx context.Context) (*smtpConn, error) {
	d := net.Dialer{Timeout: t.timeout}
	raw, err := d.DialContext(ctx, "tcp", t.s.addr)
	if err != nil {
		return nil, classify(ctx, StageConnect, err)
	}
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	conn, err := t.secure(ctx, raw)
	if err != nil {
		raw.Close()
		return nil, err
	}
	var cc net.Conn = conn
	if t.log != nil {
		cc = &loggedConn{Conn: conn, log: t.log}
	}
	c := smtp.NewClient(cc)
	c.CommandTimeout, c.SubmissionTimeout = t.timeout, t.timeout
	sc := &smtpConn{c: c, conn: conn, raw: raw}
	if err := c.Hello(t.s.helo); err != nil {
		c.Close()
		return nil, classify(ctx, StageEHLO, err)
	}
	if err := t.authenticate(ctx, sc); err != nil {
		c.Close()
		return nil, classify(ctx, StageAuth, err)
	}
	return sc, nil
}

// secure applies Security: implicit TLS, STARTTLS or nothing.
func (t *smtpTransport) secure(ctx context.Context, raw net.Conn) (net.Conn, error) {
	switch t.s.security {
	case "tls":
		tc, err := tlsconf.Handshake(ctx, raw, t.s.trust.Config(), t.timeout)
		if err != nil {
			return nil, t.tlsErr(ctx, err)
		}
		t.noteTLS(tc)
		return tc, nil
	case "starttls":
		return t.startTLS(ctx, raw)
	}
	return raw, nil
}

// tlsErr classifies a failed handshake: interrupted (temporary) when ctx
// ended, else of stage "tls", with the trust hints when the server's
// certificate does not verify.
func (t *smtpTransport) tlsErr(ctx context.Context, err error) *Error {
	e := classify(ctx, StageTLS, err)
	if e.Kind != KindTemporary {
		e.Stage = StageTLS
	}
	if e.Kind == KindTLS {
		e.Hints = append(e.Hints, tlsconf.Hints(err, t.s.trust.Pinned(), t.s.section, "smtp")...)
	}
	return e
}

// noteTLS writes the negotiated version and suite into the transcript.
func (t *smtpTransport) noteTLS(tc *tls.Conn) {
	if t.log != nil {
		st := tc.ConnectionState()
		t.log.note("tls established (" + tls.VersionName(st.Version) + ", " +
			tls.CipherSuiteName(st.CipherSuite) + ")")
	}
}

// startTLS runs greeting, EHLO and STARTTLS on the plaintext connection
// itself (see the top of this file), then hands go-smtp a TLS connection
// that replays a greeting. A server that does not offer STARTTLS is
// KindTLS: nothing else, credentials least of all, is sent.
func (t *smtpTransport) startTLS(ctx context.Context, raw net.Conn) (net.Conn, error) {
	raw.SetDeadline(time.Now().Add(t.timeout))
	var rw net.Conn = raw
	if t.log != nil {
		rw = &loggedConn{Conn: raw, log: t.log}
	}
	tp := textproto.NewConn(rw)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, classify(ctx, StageConnect, err)
	}
	_, ehlo, err := cmd(tp, 250, "EHLO "+t.s.helo)
	if err != nil {
		return nil, classify(ctx, StageEHLO, err)
	}
	if !hasExtension(ehlo, "STARTTLS") {
		return nil, &Error{Kind: KindTLS, Stage: StageTLS,
			Message: "server does not offer STARTTLS (security starttls requires it)"}
	}
	if _, _, err := cmd(tp, 220, "STARTTLS"); err != nil {
		e := classify(ctx, StageTLS, err)
		if e.Kind == KindPermanent {
			e.Kind = KindTLS
		}
		return nil, e
	}
	tc, err := tlsconf.StartTLS(ctx, raw, tp.R.Buffered(), t.s.trust.Config(), t.timeout)
	if errors.Is(err, tlsconf.ErrDataBeforeHandshake) {
		return nil, &Error{Kind: KindTLS, Stage: StageTLS, Message: err.Error(), Err: err}
	}
	if err != nil {
		return nil, t.tlsErr(ctx, err)
	}
	t.noteTLS(tc)
	if t.log != nil {
		t.log.suppress(fakeGreeting)
	}
	return &replayConn{Conn: tc, r: io.MultiReader(strings.NewReader(fakeGreeting+"\r\n"), tc)}, nil
}

// cmd sends one command and reads its reply.
func cmd(tp *textproto.Conn, expect int, line string) (int, string, error) {
	id, err := tp.Cmd("%s", line)
	if err != nil {
		return 0, "", err
	}
	tp.StartResponse(id)
	defer tp.EndResponse(id)
	return tp.ReadResponse(expect)
}

// hasExtension reports whether an EHLO reply lists ext.
func hasExtension(ehlo, ext string) bool {
	lines := strings.Split(ehlo, "\n")
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], ext) {
			return true
		}
	}
	return false
}

// replayConn reads through r (greeting, then the TLS stream).
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(p []byte) (int, error) { return c.r.Read(p) }
