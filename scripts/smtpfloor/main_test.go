package main

import (
	"bytes"
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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// server is a STARTTLS SMTP server on loopback that takes AUTH PLAIN for
// user/pass only and counts connections, logons and messages.
type server struct {
	mu                  sync.Mutex
	conns, auths, msgs  int
	tlsBeforeAuth       bool
	datas               [][]byte
	addr, ca, user, pwd string
}

type session struct {
	s    *server
	c    *smtp.Conn
	auth bool
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }
func (s *session) AuthMechanisms() []string {
	return []string{sasl.Plain}
}
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, u, p string) error {
		if u != s.s.user || p != s.s.pwd {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		_, tlsOn := s.c.TLSConnectionState()
		s.s.mu.Lock()
		s.s.auths++
		s.s.tlsBeforeAuth = tlsOn
		s.s.mu.Unlock()
		s.auth = true
		return nil
	}), nil
}
func (s *session) Mail(string, *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.msgs++
	s.s.datas = append(s.s.datas, b)
	return nil
}

// countingListener counts the connections it accepts in s.conns.
type countingListener struct {
	net.Listener
	s *server
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.conns++
		l.s.mu.Unlock()
	}
	return c, err
}

func startServer(t *testing.T) *server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtpfloor test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{user: "ci@example.com", pwd: "s3cret-floor", ca: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(s.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil // again after STARTTLS: connections are counted by the listener
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(countingListener{l, s})
	t.Cleanup(func() { srv.Close() })
	s.addr = l.Addr().String()
	return s
}

// TestFloorOneConnection: 20 messages over one connection, STARTTLS before
// one AUTH PLAIN, the password read from stdin; each message numbered and
// carrying spoolfill's body.
func TestFloorOneConnection(t *testing.T) {
	t.Setenv("BENCH_PW", "")
	s := startServer(t)
	var stderr bytes.Buffer
	code := run([]string{"-addr", s.addr, "-ca", s.ca, "-user", s.user, "-n", "20"}, strings.NewReader(s.pwd+"\r\n"), &stderr)
	if code != 0 || stderr.String() != "sent 20\n" {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns != 1 || s.auths != 1 || s.msgs != 20 || !s.tlsBeforeAuth {
		t.Fatalf("connections %d, logons %d, messages %d, TLS before AUTH %v; want 1, 1, 20, true", s.conns, s.auths, s.msgs, s.tlsBeforeAuth)
	}
	for i, d := range s.datas {
		if !bytes.Contains(d, []byte("Nobody reads it.")) || !bytes.Contains(d, []byte("Subject: spool bench ")) {
			t.Fatalf("message %d:\n%s", i, d)
		}
	}
}

// TestFloorErrors: a wrong password is 77 (and not printed), no password
// 78, a CA that does not sign the server's certificate 69, bad flags 64.
func TestFloorErrors(t *testing.T) {
	s := startServer(t)
	other := startServer(t) // its CA signs nothing of s
	for _, c := range []struct {
		name  string
		env   string
		stdin string
		args  []string
		code  int
	}{
		{"wrong password", "wrong-pass-42", "", []string{"-addr", s.addr, "-ca", s.ca, "-user", s.user, "-n", "1"}, 77},
		{"no password", "", "", []string{"-addr", s.addr, "-ca", s.ca, "-user", s.user, "-n", "1"}, 78},
		{"foreign CA", s.pwd, "", []string{"-addr", s.addr, "-ca", other.ca, "-user", s.user, "-n", "1"}, 69},
		{"no -n", s.pwd, "", []string{"-addr", s.addr, "-ca", s.ca, "-user", s.user}, 64},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("BENCH_PW", c.env)
			var stderr bytes.Buffer
			code := run(c.args, strings.NewReader(c.stdin), &stderr)
			if code != c.code || (c.env != "" && strings.Contains(stderr.String(), c.env)) {
				t.Errorf("exit %d, stderr %q; want %d, no password", code, stderr.String(), c.code)
			}
		})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.msgs != 0 {
		t.Errorf("%d messages delivered by failed runs", s.msgs)
	}
}

// The floor row compares like with like only while both sides send the
// same text: scripts/spoolfill's Body (a main package, so not importable)
// must hold this body exactly.
func TestBodyMatchesSpoolfill(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "spoolfill", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "const Body = `"+body+"`") {
		t.Fatal("scripts/spoolfill's Body differs from smtpfloor's body: the bench's floor row would compare messages of different sizes")
	}
}
