package transport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost.
type testCert struct {
	tls    tls.Certificate
	der    []byte
	caFile string // PEM file of the certificate
}

func newTestCert(t *testing.T) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mapictl test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &testCert{tls: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der: der, caFile: ca}
}

// received is one message the test server accepted.
type received struct {
	from string
	mail *smtp.MailOptions
	to   []string
	rcpt []*smtp.RcptOptions
	data []byte
}

// testServer is an in-process go-smtp server on 127.0.0.1:0 recording
// connections, AUTH mechanisms used and messages.
type testServer struct {
	addr  string
	port  int
	cert  *testCert
	conns atomic.Int32

	// configuration, set before use
	user, pass, token string
	oauthStatus       string // of the token servers' error challenge
	mechs             []string
	requireAuth       bool
	rcptErr           map[string]error
	dataErr           error
	dropInData        bool

	mu       sync.Mutex
	authUsed []string
	authTry  []string
	msgs     []received
	tokens   tokenRecord
}

// startServer starts a server; security is "starttls" (STARTTLS offered),
// "tls" (implicit) or "none" (no TLS at all).
func startServer(t *testing.T, security string, setup func(*testServer)) *testServer {
	t.Helper()
	ts := &testServer{cert: newTestCert(t), user: "alice", pass: "s3cr3t-pässword",
		token: "tok-123", oauthStatus: "invalid_token", mechs: []string{"PLAIN", "LOGIN"}, requireAuth: true}
	if setup != nil {
		setup(ts)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &testSession{ts: ts, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.EnableDSN = true
	srv.ErrorLog = log{t}
	srv.AllowInsecureAuth = true
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{ts.cert.tls}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	ts.port = l.Addr().(*net.TCPAddr).Port
	l = &countingListener{Listener: l, n: &ts.conns}
	switch security {
	case "starttls":
		srv.TLSConfig = tlsCfg
	case "tls":
		l = tls.NewListener(l, tlsCfg)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

type log struct{ t *testing.T }

func (l log) Printf(f string, v ...any) { l.t.Logf(f, v...) }
func (l log) Println(v ...any)          { l.t.Log(v...) }

type countingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) mechanisms() (tried, used []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.authTry...), append([]string(nil), ts.authUsed...)
}

type testSession struct {
	ts     *testServer
	conn   *smtp.Conn
	authed bool
	cur    received
}

func (s *testSession) AuthMechanisms() []string { return s.ts.mechs }

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	s.ts.mu.Lock()
	s.ts.authTry = append(s.ts.authTry, mech)
	s.ts.mu.Unlock()
	s.ts.tokens.tried(mech)
	ok := func() {
		s.authed = true
		s.ts.mu.Lock()
		s.ts.authUsed = append(s.ts.authUsed, mech)
		s.ts.mu.Unlock()
	}
	check := func(user, pass string) error {
		if user != s.ts.user || pass != s.ts.pass {
			return smtp.ErrAuthFailed
		}
		ok()
		return nil
	}
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, u, p string) error { return check(u, p) }), nil
	case "LOGIN":
		return &loginServer{check: check}, nil
	case "SCRAM-SHA-256":
		return &scramServer{user: s.ts.user, pass: s.ts.pass, ok: ok}, nil
	case "XOAUTH2", "OAUTHBEARER":
		return &tokenServer{mech: mech, user: s.ts.user, want: s.ts.token, status: s.ts.oauthStatus,
			ok: ok, refused: smtp.ErrAuthFailed, rec: &s.ts.tokens}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *testSession) Mail(from string, opts *smtp.MailOptions) error {
	if s.ts.requireAuth && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = received{from: from, mail: opts}
	return nil
}

func (s *testSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if err := s.ts.rcptErr[to]; err != nil {
		return err
	}
	s.cur.to = append(s.cur.to, to)
	s.cur.rcpt = append(s.cur.rcpt, opts)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.dropInData {
		s.conn.Conn().Close()
		return io.ErrUnexpectedEOF
	}
	if s.ts.dataErr != nil {
		return s.ts.dataErr
	}
	s.cur.data = b
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = received{} }
func (s *testSession) Logout() error { return nil }
