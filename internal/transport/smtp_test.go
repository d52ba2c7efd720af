package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

const testMsg = "From: alice@example.org\nTo: bob@example.org\nSubject: hi\n\nhello\n.dot line\n"

// smtpConfig returns a config for ts that verifies its certificate through
// CAFile and logs on with the server's credentials.
func smtpConfig(ts *testServer, security string) Config {
	return Config{Kind: "smtp", SMTP: SMTPConfig{Host: "127.0.0.1", Port: ts.port,
		Security: security, CAFile: ts.cert.caFile},
		Credentials: Credentials{Username: ts.user, Password: ts.pass}, Hostname: "client.test"}
}

func newT(t *testing.T, cfg Config) Transport {
	t.Helper()
	tr, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func env(to ...string) *Envelope { return &Envelope{From: "alice@example.org", To: to} }

// wantErr asserts err is an *Error of kind and stage.
func wantErr(t *testing.T, err error, kind Kind, stage string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	if e.Kind != kind || e.Stage != stage {
		t.Fatalf("error %q: kind %v stage %q, want %v %q", e, e.Kind, e.Stage, kind, stage)
	}
	return e
}

func TestSMTPDelivers(t *testing.T) {
	tests := []struct {
		name     string
		security string
		mechs    []string
		auth     string
		creds    *Credentials
		wantMech string
	}{
		{"starttls plain", "starttls", []string{"PLAIN", "LOGIN"}, "", nil, "PLAIN"},
		{"implicit tls", "tls", []string{"PLAIN"}, "auto", nil, "PLAIN"},
		{"auto prefers scram", "starttls", []string{"LOGIN", "PLAIN", "SCRAM-SHA-256"}, "auto", nil, "SCRAM-SHA-256"},
		{"explicit scram", "tls", []string{"SCRAM-SHA-256"}, "scram-sha-256", nil, "SCRAM-SHA-256"},
		{"auto login last", "starttls", []string{"LOGIN"}, "", nil, "LOGIN"},
		{"explicit login", "starttls", []string{"PLAIN", "LOGIN"}, "login", nil, "LOGIN"},
		{"token only xoauth2", "starttls", []string{"PLAIN", "XOAUTH2"}, "auto",
			&Credentials{Username: "alice", OAuth2Token: "tok-123"}, "XOAUTH2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.security, func(ts *testServer) { ts.mechs = tc.mechs })
			cfg := smtpConfig(ts, tc.security)
			cfg.SMTP.Auth = tc.auth
			if tc.creds != nil {
				cfg.Credentials = *tc.creds
			}
			tr := newT(t, cfg)
			res, err := tr.Send(context.Background(), env("bob@example.org", "carol@example.org"), []byte(testMsg))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(res.Accepted) != 2 || len(res.Rejected) != 0 {
				t.Fatalf("result %+v", res)
			}
			_, used := ts.mechanisms()
			if len(used) != 1 || used[0] != tc.wantMech {
				t.Fatalf("mechanisms used %v, want [%s]", used, tc.wantMech)
			}
			msgs := ts.messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages received", len(msgs))
			}
			m := msgs[0]
			want := strings.ReplaceAll(testMsg, "\n", "\r\n")
			if m.from != "alice@example.org" || strings.Join(m.to, ",") != "bob@example.org,carol@example.org" ||
				string(m.data) != want {
				t.Fatalf("received from %q to %v data %q", m.from, m.to, m.data)
			}
		})
	}
}

func TestSMTPFailures(t *testing.T) {
	tests := []struct {
		name     string
		security string
		setup    func(*testServer)
		cfg      func(*Config)
		kind     Kind
		stage    string
		code     int
	}{
		{"wrong password", "starttls", nil, func(c *Config) { c.Credentials.Password = "wrong" }, KindAuth, StageAuth, 535},
		{"wrong password scram", "starttls", func(s *testServer) { s.mechs = []string{"SCRAM-SHA-256"} },
			func(c *Config) { c.Credentials.Password = "wrong" }, KindAuth, StageAuth, 535},
		{"wrong token", "starttls", func(s *testServer) { s.mechs = []string{"XOAUTH2"} },
			func(c *Config) { c.Credentials = Credentials{Username: "alice", OAuth2Token: "bad"} }, KindAuth, StageAuth, 535},
		{"rcpt 4xx", "starttls", func(s *testServer) {
			s.rcptErr = map[string]error{"bob@example.org": &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "busy"}}
		}, nil, KindTemporary, StageRcpt, 450},
		{"rcpt 5xx", "starttls", func(s *testServer) {
			s.rcptErr = map[string]error{"bob@example.org": &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}
		}, nil, KindPermanent, StageRcpt, 550},
		{"data 4xx", "starttls", func(s *testServer) {
			s.dataErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}, nil, KindTemporary, StageData, 451},
		{"data 5xx", "tls", func(s *testServer) {
			s.dataErr = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "spam"}
		}, nil, KindPermanent, StageData, 554},
		{"dropped mid data", "starttls", func(s *testServer) { s.dropInData = true }, nil, KindTemporary, StageData, 0},
		{"certificate does not verify", "starttls", nil, func(c *Config) { c.SMTP.CAFile = "" }, KindTLS, StageTLS, 0},
		{"implicit tls unverified", "tls", nil, func(c *Config) { c.SMTP.CAFile = "" }, KindTLS, StageTLS, 0},
		{"starttls not offered", "none", nil, nil, KindTLS, StageTLS, 0},
		{"pin mismatch", "starttls", nil, func(c *Config) {
			c.SMTP.CAFile, c.SMTP.TLSFingerprint = "", strings.Repeat("ab", 32)
		}, KindTLS, StageTLS, 0},
		{"no auth over plaintext", "none", nil, func(c *Config) { c.SMTP.Security = "none" }, KindConfig, StageAuth, 0},
		{"no auth over skip-verify", "tls", nil, func(c *Config) {
			c.SMTP.CAFile, c.SMTP.InsecureSkipVerify = "", true
		}, KindConfig, StageAuth, 0},
		{"mechanism not offered", "starttls", func(s *testServer) { s.mechs = []string{"PLAIN"} },
			func(c *Config) { c.SMTP.Auth = "login" }, KindPermanent, StageAuth, 0},
		{"unauthenticated refused", "starttls", nil, func(c *Config) { c.Credentials = Credentials{} }, KindPermanent, StageMail, 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.security, tc.setup)
			cfg := smtpConfig(ts, "starttls")
			if tc.security == "tls" {
				cfg.SMTP.Security = "tls"
			}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			var verbose bytes.Buffer
			cfg.Verbose = &verbose
			tr := newT(t, cfg)
			res, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg))
			if err == nil {
				t.Fatalf("Send succeeded: %+v", res)
			}
			e := wantErr(t, err, tc.kind, tc.stage)
			if e.SMTPCode != tc.code {
				t.Fatalf("code %d, want %d (%v)", e.SMTPCode, tc.code, e)
			}
			for _, secret := range secretsOf(cfg.Credentials) {
				if strings.Contains(e.Error(), secret) || strings.Contains(verbose.String(), secret) {
					t.Fatalf("secret leaked:\nerror: %v\ntranscript:\n%s", e, verbose.String())
				}
			}
			if len(ts.messages()) != 0 {
				t.Fatal("server received a message")
			}
		})
	}
}

// secretsOf lists the credential strings (and encodings) that must never
// be printed.
func secretsOf(c Credentials) []string {
	var out []string
	for _, s := range []string{c.Password, c.OAuth2Token} {
		if len(s) > 2 {
			out = append(out, s, b64(s))
		}
	}
	if c.Password != "" {
		out = append(out, b64("\x00"+c.Username+"\x00"+c.Password))
	}
	return out
}

func TestSMTPAuthNotSentWithoutTLS(t *testing.T) {
	for _, sec := range []string{"none", "starttls"} { // "starttls": required but not offered
		t.Run(sec, func(t *testing.T) {
			ts := startServer(t, "none", nil)
			cfg := smtpConfig(ts, sec)
			tr := newT(t, cfg)
			_, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if tried, _ := ts.mechanisms(); len(tried) != 0 {
				t.Fatalf("AUTH %v was attempted over plaintext", tried)
			}
			cfg.SMTP.Security = "none"
			cfg.SMTP.AllowInsecureAuth = true
			if _, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
				t.Fatalf("with allow-insecure-auth: %v", err)
			}
		})
	}
}

func TestSMTPFingerprintPin(t *testing.T) {
	ts := startServer(t, "tls", nil)
	sum := sha256.Sum256(ts.cert.der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var colons []string
	for i := 0; i < len(h); i += 2 {
		colons = append(colons, h[i:i+2])
	}
	cfg := smtpConfig(ts, "tls")
	cfg.SMTP.CAFile = "" // the pin alone must be enough
	cfg.SMTP.TLSFingerprint = strings.Join(colons, ":")
	if _, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
		t.Fatalf("pinned send: %v", err)
	}
	if _, used := ts.mechanisms(); len(used) != 1 {
		t.Fatalf("pinned connection should allow AUTH, used %v", used)
	}
}

func TestSMTPPartialRejection(t *testing.T) {
	ts := startServer(t, "starttls", func(s *testServer) {
		s.rcptErr = map[string]error{
			"x@example.org": &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "unknown"},
			"y@example.org": &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "full"},
		}
	})
	res, err := newT(t, smtpConfig(ts, "starttls")).Send(context.Background(),
		env("x@example.org", "bob@example.org", "y@example.org"), []byte(testMsg))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejection{
		{Address: "x@example.org", SMTPCode: 550, EnhancedCode: "5.1.1", Message: "unknown"},
		{Address: "y@example.org", SMTPCode: 452, EnhancedCode: "4.2.2", Message: "full", Temporary: true},
	}
	if strings.Join(res.Accepted, ",") != "bob@example.org" || len(res.Rejected) != 2 ||
		res.Rejected[0] != want[0] || res.Rejected[1] != want[1] {
		t.Fatalf("result %+v", res)
	}
	if m := ts.messages(); len(m) != 1 || strings.Join(m[0].to, ",") != "bob@example.org" {
		t.Fatalf("server got %+v", m)
	}
}

func TestSMTPAllRejectedExposesRejections(t *testing.T) {
	ts := startServer(t, "starttls", func(s *testServer) {
		s.rcptErr = map[string]error{
			"x@example.org": &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "unknown"},
			"y@example.org": &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "full"},
		}
	})
	_, err := newT(t, smtpConfig(ts, "starttls")).Send(context.Background(),
		env("x@example.org", "y@example.org"), []byte(testMsg))
	e := wantErr(t, err, KindTemporary, StageRcpt) // one 4xx makes it temporary
	if len(e.Rejected) != 2 || e.SMTPCode != 550 || e.EnhancedCode != "5.1.1" {
		t.Fatalf("error %+v", e)
	}
}

func TestSMTPDSNParameters(t *testing.T) {
	ts := startServer(t, "starttls", nil)
	e := &Envelope{From: "alice@example.org", To: []string{"bob@example.org"},
		DSNNotify: []string{"success", "FAILURE"}, DSNReturn: "hdrs", EnvID: "id-42", Body: "8BITMIME"}
	if _, err := newT(t, smtpConfig(ts, "starttls")).Send(context.Background(), e, []byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	m := ts.messages()[0]
	if m.mail.Return != smtp.DSNReturnHeaders || m.mail.EnvelopeID != "id-42" || m.mail.Body != smtp.Body8BitMIME {
		t.Fatalf("mail options %+v", m.mail)
	}
	if n := m.rcpt[0].Notify; len(n) != 2 || n[0] != smtp.DSNNotifySuccess || n[1] != smtp.DSNNotifyFailure {
		t.Fatalf("notify %v", n)
	}
}

func TestSMTPUTF8Envelope(t *testing.T) {
	ts := startServer(t, "starttls", nil)
	tr := newT(t, smtpConfig(ts, "starttls"))
	e := &Envelope{From: "älice@example.org", To: []string{"bob@example.org"}}
	_, err := tr.Send(context.Background(), e, []byte(testMsg))
	wantErr(t, err, KindPermanent, StageMail)
	if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
		t.Fatalf("connection unusable after refusal: %v", err)
	}
}

// Hints name the section the transport sends for (Config.Section), as a
// shell needs it: refused credentials and a certificate that does not
// verify. Without a section the TLS hints keep the placeholder SECTION and
// the credentials hint is left to delivery.TransportError.
func TestSMTPHintsNameTheSection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		section string
		cfg     func(*Config)
		want    string
	}{
		{"wrong password", "my work", func(c *Config) { c.Credentials.Password = "wrong" },
			"check the stored credentials with 'mapictl credential set \"my work\"'"},
		{"certificate", "my work", func(c *Config) { c.SMTP.CAFile = "" },
			"'mapictl section set \"my work\" smtp.ca-file=FILE'"},
		{"pin mismatch", "work", func(c *Config) { c.SMTP.CAFile, c.SMTP.TLSFingerprint = "", strings.Repeat("ab", 32) },
			"'mapictl section set work smtp.tls-fingerprint="},
		{"certificate, no section", "", func(c *Config) { c.SMTP.CAFile = "" }, "'mapictl section set SECTION smtp.ca-file=FILE'"},
		{"wrong password, no section", "", func(c *Config) { c.Credentials.Password = "wrong" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "starttls", nil)
			cfg := smtpConfig(ts, "starttls")
			cfg.Section = tc.section
			tc.cfg(&cfg)
			_, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Send: %v", err)
			}
			hints := strings.Join(e.Hints, "\n")
			if tc.want == "" && strings.Contains(hints, "mapictl credential") || tc.want != "" && !strings.Contains(hints, tc.want) {
				t.Fatalf("hints %q, want %q", e.Hints, tc.want)
			}
		})
	}
}
