package transport

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
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

// dial connects, secures, greets and authenticates. On error nothing stays
// open. Errors are *Error.
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
	if err := t.authenticate(sc); err != nil {
		c.Close()
		return nil, classify(ctx, StageAuth, err)
	}
	return sc, nil
}

// secure applies Security: implicit TLS, STARTTLS or nothing.
func (t *smtpTransport) secure(ctx context.Context, raw net.Conn) (net.Conn, error) {
	switch t.s.security {
	case "tls":
		tc := tls.Client(raw, t.s.tlsConfig())
		if err := t.handshake(ctx, raw, tc); err != nil {
			return nil, err
		}
		return tc, nil
	case "starttls":
		return t.startTLS(ctx, raw)
	}
	return raw, nil
}

// handshake runs the TLS handshake under the step timeout.
func (t *smtpTransport) handshake(ctx context.Context, raw net.Conn, tc *tls.Conn) error {
	raw.SetDeadline(time.Now().Add(t.timeout))
	defer raw.SetDeadline(time.Time{})
	if err := tc.HandshakeContext(ctx); err != nil {
		e := classify(ctx, StageTLS, err)
		if e.Kind != KindTemporary {
			e.Stage = StageTLS
		}
		if e.Kind == KindTLS && peerFingerprint(err) != "" {
			e.Hints = append(e.Hints, certHints(err, t.s.pin != nil)...)
		}
		return e
	}
	if t.log != nil {
		st := tc.ConnectionState()
		t.log.note("tls established (" + tls.VersionName(st.Version) + ", " +
			tls.CipherSuiteName(st.CipherSuite) + ")")
	}
	return nil
}

// startTLS runs greeting, EHLO and STARTTLS on the plaintext connection
// itself (so the EHLO name and transcript are ours), then hands go-smtp a
// TLS connection that replays a greeting. A server that does not offer
// STARTTLS is KindTLS: nothing else, credentials least of all, is sent.
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
	if tp.R.Buffered() > 0 { // CVE-2011-0411 style command injection
		return nil, &Error{Kind: KindTLS, Stage: StageTLS, Message: "server sent data before the tls handshake"}
	}
	tc := tls.Client(raw, t.s.tlsConfig())
	if err := t.handshake(ctx, raw, tc); err != nil {
		return nil, err
	}
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
