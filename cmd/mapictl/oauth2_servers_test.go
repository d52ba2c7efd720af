package main

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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

// startProxy puts a recording reverse proxy in front of the provider: the
// sections reach its token and device endpoints through it
// ([oauthMail.tokenURL]), so the test knows every secret that crosses
// them (device codes, authorization codes, PKCE verifiers, access, refresh
// and ID tokens) and can look for them where they must not be.
func (m *oauthMail) startProxy(cleanup func(func())) {
	target, _ := url.Parse(m.p.Issuer)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = target.Host },
		ModifyResponse: func(resp *http.Response) error {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(b))
			var v map[string]any
			if json.Unmarshal(b, &v) == nil {
				for _, k := range []string{"access_token", "refresh_token", "id_token", "device_code"} {
					if s, ok := v[k].(string); ok {
						m.addSecret(k, s)
					}
				}
			}
			return nil
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		if form, err := url.ParseQuery(string(b)); err == nil {
			for _, k := range []string{"device_code", "code", "code_verifier", "refresh_token", "client_secret"} {
				m.addSecret(k, form.Get(k))
			}
		}
		rp.ServeHTTP(w, r)
	}))
	cleanup(srv.Close)
	m.proxy = srv.URL
}

// addSecret records secret s of kind k (its form or JSON field).
func (m *oauthMail) addSecret(k, s string) {
	if len(s) < 8 {
		return
	}
	m.mu.Lock()
	m.secrets = append(m.secrets, s)
	if m.kinds == nil {
		m.kinds = map[string]int{}
	}
	m.kinds[k]++
	m.mu.Unlock()
}

// allSecrets are the secrets that crossed the proxy so far, and how many
// of each kind.
func (m *oauthMail) allSecrets() ([]string, map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	kinds := map[string]int{}
	for k, n := range m.kinds {
		kinds[k] = n
	}
	return append([]string(nil), m.secrets...), kinds
}

// tokenURL and deviceURL are the provider's endpoints through the proxy.
func (m *oauthMail) tokenURL() string  { return m.viaProxy(m.p.TokenURL()) }
func (m *oauthMail) deviceURL() string { return m.viaProxy(m.p.DeviceURL()) }

func (m *oauthMail) viaProxy(u string) string { return m.proxy + strings.TrimPrefix(u, m.p.Issuer) }

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

// errTokenRefused is a refused token, as SMTP says it.
var errTokenRefused = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid token"}

// tokenSASL is the server side of OAUTHBEARER and XOAUTH2.
type tokenSASL struct {
	mech   string
	check  func(user, token string) bool
	fail   error // the refusal, as the protocol says it
	failed bool
}

func (s *tokenSASL) Next(resp []byte) ([]byte, bool, error) {
	if s.failed {
		return nil, true, s.fail
	}
	user, token, ok := parseTokenResponse(s.mech, resp)
	if ok && s.check(user, token) {
		return nil, true, nil
	}
	s.failed = true
	if s.mech == "XOAUTH2" {
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.example/"}`), false, nil
	}
	return []byte(`{"status":"invalid_token","scope":"mail"}`), false, nil
}

// parseTokenResponse reads the user and bearer token of an OAUTHBEARER
// ("n,a=USER,^Ahost=…^Aauth=Bearer TOKEN^A^A") or XOAUTH2
// ("user=USER^Aauth=Bearer TOKEN^A^A") initial response.
func parseTokenResponse(mech string, resp []byte) (user, token string, ok bool) {
	s := string(resp)
	if mech == "OAUTHBEARER" {
		gs2, rest, found := strings.Cut(s, "\x01")
		if !found {
			return "", "", false
		}
		for _, f := range strings.Split(gs2, ",") {
			if u, ok := strings.CutPrefix(f, "a="); ok {
				user = strings.NewReplacer("=2C", ",", "=3D", "=").Replace(u)
			}
		}
		s = rest
	}
	for _, kv := range strings.Split(s, "\x01") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "user":
			user = v
		case "auth":
			token, ok = strings.CutPrefix(v, "Bearer ")
		}
	}
	return user, token, ok && user != ""
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

// pop3Auth runs AUTH MECH [INITIAL-RESPONSE] (RFC 5034) on tp with srv;
// true when it logged on.
func pop3Auth(tp interface {
	PrintfLine(string, ...any) error
	ReadLine() (string, error)
}, arg string, srv sasl.Server) bool {
	_, ir, hasIR := strings.Cut(arg, " ")
	next := func() (string, bool) {
		tp.PrintfLine("+ ")
		l, err := tp.ReadLine()
		return l, err == nil
	}
	line := ir
	if !hasIR {
		var ok bool
		if line, ok = next(); !ok {
			return false
		}
	}
	for {
		if line == "*" {
			tp.PrintfLine("-ERR AUTH cancelled")
			return false
		}
		var resp []byte
		if line != "=" {
			var err error
			if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
				tp.PrintfLine("-ERR bad base64")
				return false
			}
		}
		chal, done, err := srv.Next(resp)
		switch {
		case err != nil:
			tp.PrintfLine("-ERR [AUTH] invalid token")
			return false
		case done:
			tp.PrintfLine("+OK logged on")
			return true
		}
		tp.PrintfLine("+ %s", base64.StdEncoding.EncodeToString(chal))
		l, err := tp.ReadLine()
		if err != nil {
			return false
		}
		line = l
	}
}

// waitStderr reads r line by line until one matches want (a prefix
// followed by the rest), returning the rest; it fails t after d.
func waitStderr(t *testing.T, r io.Reader, prefix string, d time.Duration) string {
	t.Helper()
	got := make(chan string, 1)
	var seen bytes.Buffer
	go func() {
		buf := make([]byte, 1)
		var line []byte
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if buf[0] == '\n' {
					seen.Write(append(line, '\n'))
					if rest, ok := strings.CutPrefix(string(line), prefix); ok {
						got <- rest
						io.Copy(io.Discard, r)
						return
					}
					line = line[:0]
				} else {
					line = append(line, buf[0])
				}
			}
			if err != nil {
				close(got)
				return
			}
		}
	}()
	select {
	case s, ok := <-got:
		if !ok {
			t.Fatalf("stderr ended before %q:\n%s", prefix, seen.String())
		}
		return s
	case <-time.After(d):
		t.Fatalf("no %q on stderr within %v", prefix, d)
	}
	return ""
}

// portString is p for a command line.
func portString(p int) string { return strconv.Itoa(p) }
