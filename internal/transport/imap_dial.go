package transport

// Why the STARTTLS dialogue is ours and not go-imap's (imapclient
// v2.0.0-beta.9, starttls.go), as for SMTP (smtp_conn.go):
//
//   - NewStartTLS hands the bytes the server sent after its STARTTLS OK to
//     the TLS layer as if they came through TLS (the client side of
//     CVE-2011-0411); we refuse them (tlsconf.ErrDataBeforeHandshake);
//   - its handshake runs outside any context;
//   - its one tap, Options.DebugWriter, merges both directions, and the -v
//     transcript redacts by direction (what the client sends during its
//     logon), never by what the server sends.
//
// So the greeting, CAPABILITY and STARTTLS are read and written here on the
// plaintext connection (a few lines), the handshake is tlsconf's, and
// go-imap gets the TLS connection with a replayed greeting
// (imapResumeGreeting), after which it asks for the capabilities again, as
// RFC 9051 §6.2.1 requires. With implicit TLS and without TLS go-imap runs
// the whole dialogue from the greeting on.

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// imapResumeGreeting is fed to go-imap after a STARTTLS we ran ourselves.
// It is not written into the transcript.
const imapResumeGreeting = "* OK mapictl-starttls-resume\r\n"

// DialIMAP connects to the IMAP server of c, secures the connection per
// c.Security ("tls": implicit TLS; "starttls": required, and a server that
// does not offer it is refused before any credential is sent, KindTLS of
// stage tls; "none"), reads the greeting and the capabilities, logs on per
// c.Auth and selects c.Mailbox (INBOX when empty). Every step runs under
// ctx: ending it closes the connection, and the error is then temporary.
// Each step must hear from the server within c.Timeout (30 s when zero).
//
// Logon rules are SMTP's: credentials are never sent over a connection
// that is not both encrypted and verified (insecure-skip-verify counts as
// unverified) unless c.AllowInsecureAuth; "auto" picks SCRAM-SHA-256, then
// PLAIN (both AUTHENTICATE, when offered), then the LOGIN command for a
// password, and OAUTHBEARER then XOAUTH2 for a token; with
// c.Credentials.OAuth2 set (an OAuth 2.0 section), the token mechanisms
// only. A token is fetched from the TokenSource right before AUTHENTICATE;
// a refused one is refreshed once and presented again on the same
// connection.
//
// Errors are *Error of stage connect, tls, greeting, auth or select; on
// error nothing stays open.
func DialIMAP(ctx context.Context, c InboundConfig) (*IMAPMailbox, error) {
	s, err := imapSettingsFrom(c)
	if err != nil {
		return nil, err
	}
	m := &IMAPMailbox{s: s, newMail: make(chan struct{}, 1)}
	if c.Log != nil {
		m.log = imapNewTranscript(c.Log)
	}
	d := net.Dialer{Timeout: s.timeout}
	raw, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, classify(ctx, StageConnect, err)
	}
	m.raw = raw
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	if err := m.open(ctx); err != nil {
		m.abort()
		return nil, err
	}
	return m, nil
}

// open runs everything from TLS to SELECT on m.raw.
func (m *IMAPMailbox) open(ctx context.Context) error {
	conn, replay, err := m.secure(ctx)
	if err != nil {
		return err
	}
	m.conn = &imapConn{Conn: conn, replay: replay, log: m.log, timeout: m.s.timeout}
	m.c = imapclient.New(m.conn, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: m.onMailbox,
			Expunge: m.onExpunge,
		},
	})
	m.conn.setBusy(true)
	defer m.conn.setBusy(false)
	if err := m.c.WaitGreeting(); err != nil {
		return imapClassify(ctx, StageGreeting, err)
	}
	if m.c.Caps() == nil {
		return imapNoCaps(ctx, StageGreeting)
	}
	if err := m.authenticate(ctx); err != nil {
		return err
	}
	return m.selectMailbox(ctx)
}

// imapNoCaps is the failure of a CAPABILITY go-imap could not complete.
func imapNoCaps(ctx context.Context, stage string) *Error {
	return classify(ctx, stage, errors.New("server did not send its capabilities"))
}

// abort closes whatever is open after a failed DialIMAP.
func (m *IMAPMailbox) abort() {
	if m.c != nil {
		m.c.Close()
	}
	m.raw.Close()
}

// secure applies Security: implicit TLS, STARTTLS or nothing. It returns
// the connection go-imap is to use and, after STARTTLS, the greeting to
// replay.
func (m *IMAPMailbox) secure(ctx context.Context) (net.Conn, io.Reader, error) {
	switch m.s.security {
	case "tls":
		tc, err := tlsconf.Handshake(ctx, m.raw, m.s.trust.Config(), m.s.timeout)
		if err != nil {
			return nil, nil, m.tlsErr(ctx, err)
		}
		m.noteTLS(tc)
		return tc, nil, nil
	case "starttls":
		tc, err := m.startTLS(ctx)
		if err != nil {
			return nil, nil, err
		}
		return tc, strings.NewReader(imapResumeGreeting), nil
	}
	return m.raw, nil, nil
}

// tlsErr classifies a failed handshake: interrupted (temporary) when ctx
// ended, else of stage "tls", with the trust hints when the server's
// certificate does not verify.
func (m *IMAPMailbox) tlsErr(ctx context.Context, err error) *Error {
	e := classify(ctx, StageTLS, err)
	if e.Kind != KindTemporary {
		e.Stage = StageTLS
	}
	if e.Kind == KindTLS {
		e.Hints = append(e.Hints, tlsconf.Hints(err, m.s.trust.Pinned(), m.s.section, "inbound")...)
	}
	return e
}

// noteTLS writes the negotiated version and suite into the transcript.
func (m *IMAPMailbox) noteTLS(tc *tls.Conn) {
	if m.log != nil {
		st := tc.ConnectionState()
		m.log.note("tls established (" + tls.VersionName(st.Version) + ", " +
			tls.CipherSuiteName(st.CipherSuite) + ")")
	}
}

// startTLS reads the greeting, learns the capabilities and runs STARTTLS
// on the plaintext connection (see the top of this file). A server that
// does not offer STARTTLS, refuses it, greets with PREAUTH (no STARTTLS is
// possible then, RFC 9051 §7.1.4) or sends anything after its OK before
// the handshake is KindTLS of stage tls: nothing else, credentials least
// of all, is sent.
func (m *IMAPMailbox) startTLS(ctx context.Context) (*tls.Conn, error) {
	raw := m.raw
	raw.SetDeadline(time.Now().Add(m.s.timeout))
	defer raw.SetDeadline(time.Time{})
	var rw io.ReadWriter = raw
	if m.log != nil {
		rw = struct {
			io.Reader
			io.Writer
		}{io.TeeReader(raw, m.log.server()), io.MultiWriter(raw, m.log.client())}
	}
	br := bufio.NewReaderSize(rw, 16<<10)
	greeting, err := imapReadLine(br)
	if err != nil {
		return nil, classify(ctx, StageGreeting, err)
	}
	f := strings.Fields(greeting)
	switch {
	case len(f) >= 2 && f[0] == "*" && strings.EqualFold(f[1], "PREAUTH"):
		return nil, &Error{Kind: KindTLS, Stage: StageTLS,
			Message: "server greeted with PREAUTH: STARTTLS is impossible (security starttls requires it)"}
	case len(f) >= 2 && f[0] == "*" && strings.EqualFold(f[1], "BYE"):
		return nil, &Error{Kind: KindTemporary, Stage: StageGreeting, Message: "server said " + oneLine(greeting)}
	case len(f) < 2 || f[0] != "*" || !strings.EqualFold(f[1], "OK"):
		return nil, &Error{Kind: KindPermanent, Stage: StageGreeting, Message: "not an IMAP greeting: " + oneLine(greeting)}
	}
	caps, ok := imapGreetingCaps(greeting)
	if !ok {
		lines, err := imapCommand(rw, br, "M1", "CAPABILITY")
		if err != nil {
			return nil, classify(ctx, StageGreeting, err)
		}
		for _, l := range lines {
			if c, ok := strings.CutPrefix(l, "* CAPABILITY "); ok {
				caps = append(caps, strings.Fields(c)...)
			}
		}
	}
	if !imapHasCap(caps, "STARTTLS") {
		return nil, &Error{Kind: KindTLS, Stage: StageTLS,
			Message: "server does not offer STARTTLS (security starttls requires it)"}
	}
	if _, err := imapCommand(rw, br, "M2", "STARTTLS"); err != nil {
		e := classify(ctx, StageTLS, err)
		if e.Kind == KindPermanent {
			e.Kind = KindTLS
		}
		return nil, e
	}
	tc, err := tlsconf.StartTLS(ctx, raw, br.Buffered(), m.s.trust.Config(), m.s.timeout)
	if errors.Is(err, tlsconf.ErrDataBeforeHandshake) {
		return nil, &Error{Kind: KindTLS, Stage: StageTLS, Message: err.Error(), Err: err}
	}
	if err != nil {
		return nil, m.tlsErr(ctx, err)
	}
	m.noteTLS(tc)
	return tc, nil
}

// imapReadLine reads one line (CRLF or LF dropped) of at most the
// reader's buffer size.
func imapReadLine(br *bufio.Reader) (string, error) {
	l, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", errors.New("server sent an overlong line")
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(l), "\r\n"), nil
}

// imapCommand sends "TAG CMD" and reads the lines up to its tagged reply,
// returning the untagged ones. A NO or BAD is a permanent *Error of stage
// tls (the only caller's) quoting the reply.
func imapCommand(w io.Writer, br *bufio.Reader, tag, cmd string) ([]string, error) {
	if _, err := io.WriteString(w, tag+" "+cmd+"\r\n"); err != nil {
		return nil, err
	}
	var lines []string
	for {
		l, err := imapReadLine(br)
		if err != nil {
			return nil, err
		}
		rest, ok := strings.CutPrefix(l, tag+" ")
		if !ok {
			if len(lines) < 100 {
				lines = append(lines, l)
			}
			continue
		}
		if f := strings.Fields(rest); len(f) > 0 && strings.EqualFold(f[0], "OK") {
			return lines, nil
		}
		return nil, &Error{Kind: KindPermanent, Stage: StageTLS,
			Message: fmt.Sprintf("%s refused: %s", cmd, oneLine(rest))}
	}
}

// imapGreetingCaps returns the capabilities a greeting carries in a
// [CAPABILITY …] response code.
func imapGreetingCaps(greeting string) ([]string, bool) {
	i := strings.Index(strings.ToUpper(greeting), "[CAPABILITY ")
	if i < 0 {
		return nil, false
	}
	rest := greeting[i+len("[CAPABILITY "):]
	j := strings.IndexByte(rest, ']')
	if j < 0 {
		return nil, false
	}
	return strings.Fields(rest[:j]), true
}

// imapHasCap reports whether caps lists c (case-insensitively).
func imapHasCap(caps []string, c string) bool {
	for _, x := range caps {
		if strings.EqualFold(x, c) {
			return true
		}
	}
	return false
}
