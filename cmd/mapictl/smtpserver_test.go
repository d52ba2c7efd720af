package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() { testCmds["smtpserver"] = cmdSMTPServer }

// The fixed credentials the test server accepts (AUTH PLAIN).
const (
	smtpTestUser = "alice@example.com"
	smtpTestPass = "s3cret-Pw-9f2"
)

// scriptSMTP is one script's server: its rules and where it records.
type scriptSMTP struct {
	mu    sync.Mutex
	dir   string // $WORK/smtp
	n     int
	rules map[string]int // RCPT address -> reply code (451, 550)
}

var smtpServers sync.Map // *testscript.TestScript -> *scriptSMTP

// cmdSMTPServer: smtpserver [ADDR=CODE]... — start an in-process go-smtp
// server on 127.0.0.1:0 with STARTTLS (a certificate made here) and AUTH
// PLAIN for smtpTestUser/smtpTestPass; export $SMTP_PORT, $SMTP_CA (the CA
// file), $SMTP_USER and $SMTP_PASS. Each ADDR=CODE makes RCPT TO:<ADDR>
// answer CODE (451 or 550). Every accepted message N is recorded under
// $WORK/smtp/N/: envelope ("auth MECH USER", "from ADDR", "to ADDR" lines)
// and data. `smtpserver rules [ADDR=CODE]...` replaces the rules of the
// running server (no argument: accept everyone).
func cmdSMTPServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: smtpserver [rules] [ADDR=CODE]...")
	}
	if len(args) > 0 && args[0] == "rules" {
		v, ok := smtpServers.Load(ts)
		if !ok {
			ts.Fatalf("smtpserver rules: no server running")
		}
		s := v.(*scriptSMTP)
		s.mu.Lock()
		s.rules = parseRules(ts, args[1:])
		s.mu.Unlock()
		return
	}
	s := &scriptSMTP{dir: ts.MkAbs("smtp"), rules: parseRules(ts, args)}
	ts.Check(os.MkdirAll(s.dir, 0o700))
	cert, caPEM := smtpTestCert(ts)
	ca := ts.MkAbs("smtp-ca.pem")
	ts.Check(os.WriteFile(ca, caPEM, 0o600))

	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpTestSession{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.EnableDSN = true // so that sendmail's -N/-R/-V reach the wire
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	go srv.Serve(l)
	ts.Defer(func() { srv.Close(); smtpServers.Delete(ts) })
	smtpServers.Store(ts, s)
	ts.Setenv("SMTP_PORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	ts.Setenv("SMTP_CA", ca)
	ts.Setenv("SMTP_USER", smtpTestUser)
	ts.Setenv("SMTP_PASS", smtpTestPass)
}

func parseRules(ts *testscript.TestScript, args []string) map[string]int {
	rules := map[string]int{}
	for _, a := range args {
		addr, code, ok := strings.Cut(a, "=")
		n, err := strconv.Atoi(code)
		if !ok || err != nil {
			ts.Fatalf("smtpserver: want ADDR=CODE, got %q", a)
		}
		rules[strings.ToLower(addr)] = n
	}
	return rules
}

// smtpTestCert makes a self-signed certificate for 127.0.0.1 and localhost.
func smtpTestCert(ts *testscript.TestScript) (tls.Certificate, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "mapictl test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ts.Check(err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// smtpTestSession records one transaction; MAIL needs a successful AUTH.
type smtpTestSession struct {
	s        *scriptSMTP
	auth     string
	from     string
	to       []string
	notes    []string // DSN and BODY parameters, as "mail …" and "notify TO …" lines
	authDone bool
}

func (t *smtpTestSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (t *smtpTestSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != smtpTestUser || pass != smtpTestPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
		}
		t.authDone, t.auth = true, mech+" "+user
		return nil
	}), nil
}

func (t *smtpTestSession) Mail(from string, opts *smtp.MailOptions) error {
	if !t.authDone {
		return smtp.ErrAuthRequired
	}
	t.from = from
	if opts != nil && (opts.Return != "" || opts.EnvelopeID != "" || opts.Body != "") {
		t.notes = append(t.notes, fmt.Sprintf("mail ret=%s envid=%s body=%s", opts.Return, opts.EnvelopeID, opts.Body))
	}
	return nil
}

func (t *smtpTestSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	t.s.mu.Lock()
	code := t.s.rules[strings.ToLower(to)]
	t.s.mu.Unlock()
	switch {
	case code >= 500:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	case code >= 400:
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "try again later"}
	}
	t.to = append(t.to, to)
	if opts != nil && len(opts.Notify) > 0 {
		n := make([]string, len(opts.Notify))
		for i, v := range opts.Notify {
			n[i] = string(v)
		}
		t.notes = append(t.notes, "notify "+to+" "+strings.Join(n, ","))
	}
	return nil
}

func (t *smtpTestSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.s.n++
	dir := filepath.Join(t.s.dir, strconv.Itoa(t.s.n))
	var env strings.Builder
	fmt.Fprintf(&env, "auth %s\nfrom %s\n", t.auth, t.from)
	for _, to := range t.to {
		fmt.Fprintf(&env, "to %s\n", to)
	}
	for _, n := range t.notes {
		fmt.Fprintf(&env, "%s\n", n)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "data"), data, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "envelope"), []byte(env.String()), 0o600)
}

func (t *smtpTestSession) Reset()        { t.from, t.to, t.notes = "", nil, nil }
func (t *smtpTestSession) Logout() error { return nil }
