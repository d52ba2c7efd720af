package main

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// Mail servers that take OAuth 2.0 bearer tokens (SASL OAUTHBEARER, RFC
// 7628, and XOAUTH2) and check each with the real provider of
// internal/oauthtest, as Microsoft 365 and Gmail check theirs: an
// in-process go-smtp server, go-imap's memory server and the POP3 fake of
// pop3server_test.go, on loopback. They take no password.

// oauthMail is one test's provider and servers.
type oauthMail struct {
	p    *oauthtest.Provider
	user string // the SASL user name the servers want: the provider's user's email

	smtpPort, imapPort, pop3Port int
	ca                           string // the CA file of the SMTP and IMAP certificates

	// refuse makes every server refuse every token, valid or not.
	refuse atomic.Bool
	// smtpMechs are the mechanisms the SMTP server offers.
	smtpMechs []string

	mu      sync.Mutex
	sent    [][]byte // the messages the SMTP server accepted
	logons  []string // "PROTO MECH USER" of each accepted logon
	refused int      // logons refused

	imapUser *imapmemserver.User
	pop3     *scriptPOP3

	proxy   string         // the recording proxy's URL (startProxy)
	secrets []string       // what crossed it
	kinds   map[string]int // of which kind
}

// newOAuthMail starts a provider with opts, and the three servers holding
// n messages each (IMAP INBOX, POP3 maildrop). The SMTP server offers
// smtpMechs (nil: OAUTHBEARER and XOAUTH2).
func newOAuthMail(t *testing.T, n int, smtpMechs []string, opts ...oauthtest.Option) *oauthMail {
	t.Helper()
	cert, caPEM := newTestCert(t)
	m, err := startOAuthMail(oauthtest.New(t, opts...), cert, caPEM, t.TempDir(), n, smtpMechs, t.Cleanup)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// startOAuthMail starts the servers of newOAuthMail for provider p, with
// cert (whose CA is caPEM, written into dir); cleanup is given what stops
// them.
func startOAuthMail(p *oauthtest.Provider, cert tls.Certificate, caPEM []byte, dir string, n int, smtpMechs []string,
	cleanup func(func())) (*oauthMail, error) {
	m := &oauthMail{p: p, smtpMechs: smtpMechs, user: p.Email, ca: filepath.Join(dir, "ca.pem")}
	if m.smtpMechs == nil {
		m.smtpMechs = []string{sasl.OAuthBearer, "XOAUTH2"}
	}
	if err := os.WriteFile(m.ca, caPEM, 0o600); err != nil {
		return nil, err
	}
	m.startProxy(cleanup)

	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &oauthSMTPSession{m: m}, nil }))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(l)
	cleanup(func() { srv.Close() })
	m.smtpPort = l.Addr().(*net.TCPAddr).Port

	m.imapUser = imapmemserver.NewUser(imapTestUser, imapTestPass)
	if err := m.imapUser.Create("INBOX", nil); err != nil {
		return nil, err
	}
	if err := appendTestMessages(m.imapUser, n); err != nil {
		return nil, err
	}
	mem := imapmemserver.New()
	mem.AddUser(m.imapUser)
	isrv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &oauthIMAPSession{Session: mem.NewSession(), m: m}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapIdle: {}},
		Logger:       discardLogger{},
		InsecureAuth: true, // the listener is TLS itself
	})
	il, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return nil, err
	}
	go isrv.Serve(il)
	cleanup(func() { isrv.Close() })
	m.imapPort = il.Addr().(*net.TCPAddr).Port

	m.pop3 = &scriptPOP3{token: func(mech string) sasl.Server { return m.tokenServer("pop3", mech, nil) }}
	m.pop3.add(n)
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := pl.Accept()
			if err != nil {
				return
			}
			go m.pop3.serve(c)
		}
	}()
	cleanup(func() { pl.Close() })
	m.pop3Port = pl.Addr().(*net.TCPAddr).Port
	return m, nil
}

// counts returns how many messages the SMTP server accepted, how many
// logons it and the others accepted and refused.
func (m *oauthMail) counts() (sent, logons, refused int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent), len(m.logons), m.refused
}

// tokenServer is the server side of mech ("OAUTHBEARER" or "XOAUTH2") for
// proto: it accepts a token the provider validates for m.user (unless
// m.refuse), then runs ok; else it sends the mechanism's JSON error
// challenge and fails after the client's answer.
func (m *oauthMail) tokenServer(proto, mech string, ok func()) sasl.Server {
	var fail error = errTokenRefused
	if proto == "imap" {
		fail = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "invalid token"}
	}
	return &tokenSASL{mech: strings.ToUpper(mech), fail: fail, check: func(user, token string) bool {
		email, valid := m.p.Validate(token)
		good := valid && user == m.user && email == m.user && !m.refuse.Load()
		m.mu.Lock()
		if good {
			m.logons = append(m.logons, proto+" "+strings.ToUpper(mech)+" "+user)
		} else {
			m.refused++
		}
		m.mu.Unlock()
		if good && ok != nil {
			ok()
		}
		return good
	}}
}

// oauthSMTPSession records one transaction; MAIL needs a token logon.
type oauthSMTPSession struct {
	m      *oauthMail
	authed bool
	to     []string
}

func (s *oauthSMTPSession) AuthMechanisms() []string { return s.m.smtpMechs }

func (s *oauthSMTPSession) Auth(mech string) (sasl.Server, error) {
	return s.m.tokenServer("smtp", mech, func() { s.authed = true }), nil
}

func (s *oauthSMTPSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *oauthSMTPSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *oauthSMTPSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	s.m.sent = append(s.m.sent, b)
	s.m.mu.Unlock()
	return nil
}

func (s *oauthSMTPSession) Reset()        { s.to = nil }
func (s *oauthSMTPSession) Logout() error { return nil }

// oauthIMAPSession is a memory server session that logs on with a token
// (AUTHENTICATE OAUTHBEARER or XOAUTH2) instead of a password.
type oauthIMAPSession struct {
	imapserver.Session
	m *oauthMail
}

func (s *oauthIMAPSession) Login(string, string) error {
	return errors.New("this server takes OAuth 2.0 tokens only")
}

func (s *oauthIMAPSession) AuthenticateMechanisms() []string {
	return []string{sasl.OAuthBearer, "XOAUTH2"}
}

func (s *oauthIMAPSession) Authenticate(mech string) (sasl.Server, error) {
	return s.m.tokenServer("imap", mech, func() { _ = s.Session.Login(imapTestUser, imapTestPass) }), nil
}
