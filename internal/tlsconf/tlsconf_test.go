package tlsconf

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testServer is a TLS server on 127.0.0.1 with a fresh self-signed
// certificate for 127.0.0.1; it completes handshakes and closes.
type testServer struct {
	addr   string
	fp     string // hex sha-256 of the certificate
	caFile string
}

func startTLSServer(t *testing.T) *testServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tlsconf test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.(*tls.Conn).Handshake()
				c.Read(make([]byte, 1))
			}()
		}
	}()
	sum := sha256.Sum256(der)
	return &testServer{addr: l.Addr().String(), fp: hex.EncodeToString(sum[:]), caFile: ca}
}

// handshake dials ts and runs the client handshake with trust's config.
func handshake(t *testing.T, ts *testServer, trust *Trust) error {
	t.Helper()
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, err = Handshake(context.Background(), raw, trust.Config(), 5*time.Second)
	return err
}

func mustNew(t *testing.T, s Settings) *Trust {
	t.Helper()
	tr, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestNewValidates(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "x.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, tc := range []struct {
		name  string
		s     Settings
		want  string
		cause bool
	}{
		{"short pin", Settings{Fingerprint: "abcd"}, "tls fingerprint must be a sha-256 digest in hex", false},
		{"not hex", Settings{Fingerprint: strings.Repeat("zz", 32)}, "tls fingerprint must be a sha-256 digest in hex", false},
		{"no ca file", Settings{CAFile: filepath.Join(dir, "none.pem")}, `cannot read ca file "` + filepath.Join(dir, "none.pem") + `"`, true},
		{"not pem", Settings{CAFile: notPEM}, `no pem certificate in ca file "` + notPEM + `"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := New(tc.s)
			var se *SettingError
			if tr != nil || !errors.As(err, &se) || se.Error() != tc.want {
				t.Fatalf("New: %v, %v; want nil and %q", tr, err, tc.want)
			}
			if (errors.Unwrap(err) != nil) != tc.cause {
				t.Fatalf("cause %v, want one: %v", errors.Unwrap(err), tc.cause)
			}
		})
	}
}

// The fingerprint is taken with colons and in either case; a pin replaces
// chain verification (and is what makes the connection verified), a
// mismatching pin fails the handshake with *PinMismatchError.
func TestPinning(t *testing.T) {
	ts := startTLSServer(t)
	var pairs []string
	for i := 0; i < len(ts.fp); i += 2 {
		pairs = append(pairs, strings.ToUpper(ts.fp[i:i+2]))
	}
	tr := mustNew(t, Settings{Host: "127.0.0.1", Fingerprint: strings.Join(pairs, ":")})
	if !tr.Pinned() || !tr.Verified() {
		t.Fatalf("pinned %v verified %v", tr.Pinned(), tr.Verified())
	}
	if err := handshake(t, ts, tr); err != nil {
		t.Fatalf("pinned handshake: %v", err)
	}
	// A pin overrides insecure-skip-verify: still verified.
	if tr := mustNew(t, Settings{Host: "127.0.0.1", Fingerprint: ts.fp, InsecureSkipVerify: true}); !tr.Verified() {
		t.Fatal("pinned and insecure: not verified")
	}

	err := handshake(t, ts, mustNew(t, Settings{Host: "127.0.0.1", Fingerprint: strings.Repeat("ab", 32)}))
	var pm *PinMismatchError
	if !errors.As(err, &pm) || pm.Got != ts.fp {
		t.Fatalf("mismatching pin: %v", err)
	}
	if f, msg := Classify(err); f != BadCertificate || !strings.HasPrefix(msg, "certificate does not verify: ") {
		t.Fatalf("Classify: %v %q", f, msg)
	}
	if Fingerprint(err) != ts.fp {
		t.Fatalf("Fingerprint %q, want %q", Fingerprint(err), ts.fp)
	}
	hints := strings.Join(Hints(err, true, "work", "smtp"), "\n")
	for _, want := range []string{"fingerprint " + ts.fp, "'mapictl section set work smtp.tls-fingerprint=" + ts.fp + "'",
		"smtp.ca-file=FILE and unset smtp.tls-fingerprint"} {
		if !strings.Contains(hints, want) {
			t.Errorf("hints %q lack %q", hints, want)
		}
	}
}

// System roots alone reject a self-signed certificate (with its
// fingerprint in the error); the CA file makes it verify; insecure accepts
// it but is not verified.
func TestRoots(t *testing.T) {
	ts := startTLSServer(t)
	err := handshake(t, ts, mustNew(t, Settings{Host: "127.0.0.1"}))
	if f, _ := Classify(err); f != BadCertificate || Fingerprint(err) != ts.fp {
		t.Fatalf("self-signed against system roots: %v (fingerprint %q)", err, Fingerprint(err))
	}
	hints := strings.Join(Hints(err, false, "my mail", "imap"), "\n")
	for _, want := range []string{"'mapictl section set \"my mail\" imap.ca-file=FILE'",
		"'mapictl section set \"my mail\" imap.tls-fingerprint=" + ts.fp + "'"} {
		if !strings.Contains(hints, want) {
			t.Errorf("hints %q lack %q", hints, want)
		}
	}
	// A transport that does not know its section keeps the placeholder.
	if hints := strings.Join(Hints(err, false, "", "smtp"), "\n"); !strings.Contains(hints, "'mapictl section set SECTION smtp.ca-file=FILE'") {
		t.Errorf("hints without a section: %q", hints)
	}
	if err := handshake(t, ts, mustNew(t, Settings{Host: "127.0.0.1", CAFile: ts.caFile})); err != nil {
		t.Fatalf("with the ca file: %v", err)
	}
	ins := mustNew(t, Settings{Host: "127.0.0.1", InsecureSkipVerify: true})
	if err := handshake(t, ts, ins); err != nil || ins.Verified() {
		t.Fatalf("insecure: %v, verified %v", err, ins.Verified())
	}
	if cfg := ins.Config(); cfg.MinVersion != tls.VersionTLS12 || cfg.ServerName != "127.0.0.1" {
		t.Fatalf("config min version %x server name %q", cfg.MinVersion, cfg.ServerName)
	}
}

// Errors that are not TLS failures carry no class, fingerprint or hints.
func TestNotTLS(t *testing.T) {
	for _, err := range []error{errors.New("connection reset"), context.Canceled} {
		if f, msg := Classify(err); f != NotTLS || msg != "" {
			t.Errorf("%v: %v %q", err, f, msg)
		}
		if Fingerprint(err) != "" || Hints(err, false, "work", "smtp") != nil {
			t.Errorf("%v: fingerprint or hints", err)
		}
	}
	if f, _ := Classify(tls.RecordHeaderError{Msg: "not tls"}); f != HandshakeFailed {
		t.Errorf("record header error: %v", f)
	}
}

// StartTLS refuses plaintext buffered after the go-ahead before any
// handshake; a cancelled ctx interrupts a handshake the server never
// answers, with ctx's error.
func TestStartTLSAndCancel(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if _, err := StartTLS(context.Background(), a, 5, &tls.Config{}, time.Second); !errors.Is(err, ErrDataBeforeHandshake) {
		t.Fatalf("buffered data: %v", err)
	}
	go func() { b.Read(make([]byte, 4096)) }() // swallow the ClientHello, never answer
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := StartTLS(ctx, a, 0, &tls.Config{ServerName: "x"}, time.Minute)
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("cancelled handshake: %v after %v", err, time.Since(start))
	}
}
