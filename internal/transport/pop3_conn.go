package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// pop3Settings is a validated InboundConfig for POP3 with defaults applied.
type pop3Settings struct {
	addr     string // host:port
	security string // "tls", "starttls", "none"
	auth     string // "auto", "scram-sha-256", "plain", "login", "xoauth2", "oauthbearer", "user", "none"
	host     string
	port     int
	trust    *tlsconf.Trust
	allowIns bool
	timeout  time.Duration
	section  string // InboundConfig.Section, for hints
}

// pop3SettingsFrom validates c (KindConfig errors of stage "config", never
// echoing a credential).
func pop3SettingsFrom(c InboundConfig) (*pop3Settings, error) {
	s := &pop3Settings{host: c.Host, security: strings.ToLower(c.Security),
		auth: strings.ToLower(c.Auth), allowIns: c.AllowInsecureAuth, timeout: c.Timeout, section: c.Section}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	ep, err := inboundEndpointFrom(c, 995, 110)
	if err != nil {
		return nil, err
	}
	s.addr, s.host, s.port, s.security, s.trust = ep.addr, ep.host, ep.port, ep.security, ep.trust
	cr := c.Credentials
	hasPass := cr.Username != "" && cr.Password != ""
	switch s.auth {
	case "":
		s.auth = "auto"
	case "auto", "none":
	case "scram-sha-256", "plain", "login", "user":
		if !hasPass {
			return nil, configErr(fmt.Sprintf("inbound auth %s needs a username and password", s.auth))
		}
	case "xoauth2", "oauthbearer":
		if !holdsToken(cr) {
			return nil, configErr(fmt.Sprintf("inbound auth %s needs an oauth2 token", s.auth))
		}
	default:
		return nil, configErr(fmt.Sprintf("unknown inbound auth mechanism %q", c.Auth))
	}
	return s, nil
}

// verified reports whether a connection made with the settings is
// encrypted and authenticated, i.e. safe for credentials.
func (s *pop3Settings) verified() bool { return s.security != "none" && s.trust.Verified() }

// pop3IdleConn gives every Read and Write its own deadline of timeout from
// now: a server that stops answering for that long fails the step, while a
// large message that keeps flowing is never cut off.
type pop3IdleConn struct {
	net.Conn
	timeout time.Duration
}

func (c *pop3IdleConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(p)
}

func (c *pop3IdleConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

// pop3ReadBuf is the size of the read buffer, which bounds the memory a
// message in transit takes.
const pop3ReadBuf = 32 << 10

// attach makes conn (the TCP connection or the TLS one over it) the one
// commands and responses go through.
func (m *POP3Maildrop) attach(conn net.Conn) {
	ic := &pop3IdleConn{Conn: conn, timeout: m.s.timeout}
	m.tp = textproto.NewConn(ic)
	m.tp.R = bufio.NewReaderSize(ic, pop3ReadBuf)
	m.tp.Reader = *textproto.NewReader(m.tp.R)
}

// connect dials, applies Security, reads the greeting and the capabilities
// (again after STLS, RFC 2595 §4). The caller has armed ctx to close raw.
func (m *POP3Maildrop) connect(ctx context.Context) error {
	switch m.s.security {
	case "tls":
		tc, err := tlsconf.Handshake(ctx, m.raw, m.s.trust.Config(), m.s.timeout)
		if err != nil {
			return m.tlsErr(ctx, err)
		}
		m.noteTLS(tc)
		m.attach(tc)
	default:
		m.attach(m.raw)
	}
	if _, err := m.readStatus(StageGreeting); err != nil {
		return classify(ctx, StageGreeting, err)
	}
	if err := m.readCapa(ctx); err != nil {
		return err
	}
	if m.s.security != "starttls" {
		return nil
	}
	if _, ok := m.capa["STLS"]; !ok {
		return &Error{Kind: KindTLS, Stage: StageTLS,
			Message: "server does not offer STLS (security starttls requires it)"}
	}
	if _, err := m.cmd(StageTLS, "STLS"); err != nil {
		e := classify(ctx, StageTLS, err)
		if e.Kind == KindPermanent {
			e.Kind = KindTLS
		}
		return e
	}
	tc, err := tlsconf.StartTLS(ctx, m.raw, m.tp.R.Buffered(), m.s.trust.Config(), m.s.timeout)
	if errors.Is(err, tlsconf.ErrDataBeforeHandshake) {
		return &Error{Kind: KindTLS, Stage: StageTLS, Message: err.Error(), Err: err}
	}
	if err != nil {
		return m.tlsErr(ctx, err)
	}
	m.noteTLS(tc)
	m.attach(tc)
	return m.readCapa(ctx)
}

// readCapa asks for the capabilities (RFC 2449); a server that does not
// know CAPA has none (m.capa nil).
func (m *POP3Maildrop) readCapa(ctx context.Context) error {
	m.capa = nil
	if _, err := m.cmd(StageGreeting, "CAPA"); err != nil {
		var pe *pop3Reply
		if errors.As(err, &pe) {
			return nil // RFC 1939 server
		}
		return classify(ctx, StageGreeting, err)
	}
	lines, err := m.readLines("capabilities")
	if err != nil {
		return classify(ctx, StageGreeting, err)
	}
	m.capa = map[string][]string{}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 {
			m.capa[strings.ToUpper(f[0])] = f[1:]
		}
	}
	return nil
}

// tlsErr classifies a failed handshake as the SMTP client does, with the
// inbound.* trust hints.
func (m *POP3Maildrop) tlsErr(ctx context.Context, err error) *Error {
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
func (m *POP3Maildrop) noteTLS(tc *tls.Conn) {
	st := tc.ConnectionState()
	m.log.note("tls established (" + tls.VersionName(st.Version) + ", " +
		tls.CipherSuiteName(st.CipherSuite) + ")")
}

// pop3Reply is a server's -ERR reply to a command of a stage.
type pop3Reply struct {
	stage string
	text  string // after "-ERR "
}

func (r *pop3Reply) Error() string { return r.text }

// err maps the reply to an *Error. RFC 2449 §8 and RFC 3206 response codes
// decide when present: [AUTH] is KindAuth, [SYS/TEMP], [IN-USE] and
// [LOGIN-DELAY] are temporary, [SYS/PERM] permanent. Otherwise -ERR in the
// auth stage is KindAuth (credentials refused), elsewhere permanent.
func (r *pop3Reply) err() *Error {
	e := &Error{Kind: KindPermanent, Stage: r.stage, Message: "server replied -ERR"}
	if t := oneLine(r.text); t != "" {
		e.Message += " " + t
	}
	code := ""
	if strings.HasPrefix(r.text, "[") {
		if i := strings.IndexByte(r.text, ']'); i > 0 {
			code = strings.ToUpper(r.text[1:i])
		}
	}
	switch {
	case code == "AUTH":
		e.Kind = KindAuth
	case code == "SYS/TEMP" || code == "IN-USE" || code == "LOGIN-DELAY":
		e.Kind = KindTemporary
	case code == "SYS/PERM":
	case r.stage == StageAuth:
		e.Kind = KindAuth
	}
	return e
}

// As lets errors.As (and so classify) see the reply as its *Error.
func (r *pop3Reply) As(target any) bool {
	if p, ok := target.(**Error); ok {
		*p = r.err()
		return true
	}
	return false
}

// send writes one command line; shown is how the transcript prints it.
func (m *POP3Maildrop) send(line, shown string) error {
	m.log.client(shown)
	if err := m.tp.PrintfLine("%s", line); err != nil {
		m.broken = true
		return err
	}
	return nil
}

// readStatus reads one status line: the text after "+OK", or a *pop3Reply
// for "-ERR", or an error for anything else.
func (m *POP3Maildrop) readStatus(stage string) (string, error) {
	l, err := m.tp.ReadLine()
	if err != nil {
		m.broken = true
		return "", err
	}
	m.log.server(l)
	switch {
	case l == "+OK" || strings.HasPrefix(l, "+OK "):
		return strings.TrimPrefix(strings.TrimPrefix(l, "+OK"), " "), nil
	case l == "-ERR" || strings.HasPrefix(l, "-ERR "):
		return "", &pop3Reply{stage: stage, text: strings.TrimPrefix(strings.TrimPrefix(l, "-ERR"), " ")}
	}
	m.broken = true
	return "", &Error{Kind: KindPermanent, Stage: stage,
		Message: "not a pop3 reply: " + strconv.Quote(pop3Trunc(l, 80))}
}

// cmd sends a command and reads its status line.
func (m *POP3Maildrop) cmd(stage, line string) (string, error) {
	if err := m.send(line, line); err != nil {
		return "", err
	}
	return m.readStatus(stage)
}

// readLines reads a dot-terminated listing (CAPA, UIDL, LIST); the
// transcript shows it as a count of lines named what.
func (m *POP3Maildrop) readLines(what string) ([]string, error) {
	lines, err := m.tp.ReadDotLines()
	if err != nil {
		m.broken = true
		return nil, err
	}
	if what == "capabilities" {
		for _, l := range lines {
			m.log.server(l)
		}
		m.log.server(".")
	} else {
		m.log.note(fmt.Sprintf("%d lines of %s", len(lines), what))
	}
	return lines, nil
}

// pop3Trunc shortens s to at most n bytes.
func pop3Trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
