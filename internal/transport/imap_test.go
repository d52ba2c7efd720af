package transport

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestIMAPLogonTLSAndValidity(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	uid := ts.appendMsg(t, []byte("Subject: one\r\n\r\nbody\r\n"))
	m := dialIMAP(t, ts.config("tls"))
	mb, _ := ts.user.Status("INBOX", &imap.StatusOptions{UIDValidity: true})
	if want := strconv.FormatUint(uint64(mb.UIDValidity), 10); m.Validity() != want || want == "0" {
		t.Fatalf("Validity %q, want %q", m.Validity(), want)
	}
	ids, sizes, err := m.List(context.Background())
	if err != nil || len(ids) != 1 || ids[0] != strconv.Itoa(int(uid)) || sizes[0] != 22 {
		t.Fatalf("List: %v %v %v", ids, sizes, err)
	}
	if !m.CanDelete() || !m.CanIdle() {
		t.Fatalf("CanDelete %v CanIdle %v, want both", m.CanDelete(), m.CanIdle())
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestIMAPWrongPassword(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	for _, auth := range []string{"auto", "login", "plain"} {
		cfg := ts.config("tls")
		cfg.Auth = auth
		cfg.Credentials.Password = "wrong"
		_, err := DialIMAP(context.Background(), cfg)
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindAuth || te.Stage != StageAuth {
			t.Fatalf("auth %s: %v, want KindAuth of stage auth", auth, err)
		}
		if me, _ := MAPIError(err, ""); me.ExitStatus() != 77 {
			t.Fatalf("auth %s: exit %d, want 77", auth, me.ExitStatus())
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Fatalf("the password is in the error: %v", err)
		}
	}
}

func TestIMAPAuthPicksSCRAM(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls", scram: true})
	m := dialIMAP(t, ts.config("tls"))
	if _, _, err := m.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.mechs) != 1 || ts.mechs[0] != "SCRAM-SHA-256" {
		t.Fatalf("mechanisms used %v, want SCRAM-SHA-256", ts.mechs)
	}
}

func TestIMAPStartTLS(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "starttls"})
	ts.appendMsg(t, []byte("Subject: x\r\n\r\ny\r\n"))
	m := dialIMAP(t, ts.config("starttls"))
	if ids, _, err := m.List(context.Background()); err != nil || len(ids) != 1 {
		t.Fatalf("List: %v %v", ids, err)
	}
}

// A server that does not offer STARTTLS never sees a credential.
func TestIMAPStartTLSMissing(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "none"})
	_, err := DialIMAP(context.Background(), ts.config("starttls"))
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTLS || te.Stage != StageTLS {
		t.Fatalf("err %v, want KindTLS of stage tls", err)
	}
	time.Sleep(50 * time.Millisecond) // let the server log what it read
	got := ts.received()
	for _, bad := range []string{imapTestUser, imapTestPass, "LOGIN", "AUTHENTICATE", b64("\x00" + imapTestUser)} {
		if strings.Contains(got, bad) {
			t.Fatalf("server received %q:\n%s", bad, got)
		}
	}
	if !strings.Contains(got, "CAPABILITY") {
		t.Fatalf("the client did not ask for capabilities:\n%s", got)
	}
}

// Plaintext logon is refused unless allowed.
func TestIMAPInsecureAuthRefused(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "none"})
	_, err := DialIMAP(context.Background(), ts.config("none"))
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindConfig || te.Stage != StageAuth {
		t.Fatalf("err %v, want KindConfig of stage auth", err)
	}
	if strings.Contains(ts.received(), imapTestPass) {
		t.Fatal("password sent")
	}
	cfg := ts.config("none")
	cfg.AllowInsecureAuth = true
	dialIMAP(t, cfg)
}

func TestIMAPBadCertificate(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	cfg := ts.config("tls")
	cfg.CAFile = ""
	_, err := DialIMAP(context.Background(), cfg)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTLS || te.Stage != StageTLS || len(te.Hints) == 0 ||
		!strings.Contains(te.Hints[1], "inbound.tls-fingerprint") {
		t.Fatalf("err %#v, want KindTLS with inbound hints", err)
	}
}

func TestIMAPNoSuchMailbox(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	cfg := ts.config("tls")
	cfg.Mailbox = "Nope"
	_, err := DialIMAP(context.Background(), cfg)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindConfig || te.Stage != StageSelect {
		t.Fatalf("err %v, want KindConfig of stage select", err)
	}
}

func TestIMAPConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*InboundConfig)
		want string
	}{
		{"no host", func(c *InboundConfig) { c.Host = "" }, "inbound host not set"},
		{"pop3", func(c *InboundConfig) { c.Protocol = "pop3" }, `inbound protocol "pop3" is not imap`},
		{"security", func(c *InboundConfig) { c.Security = "ssl" }, `unknown inbound security "ssl"`},
		{"user auth", func(c *InboundConfig) { c.Auth = "user" }, "POP3's"},
		{"plain without password", func(c *InboundConfig) { c.Auth = "plain"; c.Credentials.Password = "" }, "needs a username and password"},
		{"xoauth2 without token", func(c *InboundConfig) { c.Auth = "xoauth2" }, "needs a username and an oauth2 token"},
	} {
		cfg := InboundConfig{Host: "127.0.0.1", Credentials: Credentials{Username: "u", Password: "p"}}
		tc.edit(&cfg)
		_, err := DialIMAP(context.Background(), cfg)
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindConfig || !strings.Contains(te.Message, tc.want) {
			t.Errorf("%s: %v, want KindConfig %q", tc.name, err, tc.want)
		}
	}
}

// imapSource mirrors internal/inbound's Source (which transport cannot
// import): *IMAPMailbox must keep implementing it.
type imapSource interface {
	Validity() string
	CanDelete() bool
	List(ctx context.Context) (ids []string, sizes []int64, err error)
	Fetch(ctx context.Context, ids []string, deliver func(id string, r io.Reader) error) error
	Delete(ctx context.Context, ids []string) error
	Commit(ctx context.Context) error
	Close() error
}

var _ imapSource = (*IMAPMailbox)(nil)

func TestIMAPXOAUTH2(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls", scram: true})
	cfg := ts.config("tls")
	cfg.Credentials = Credentials{Username: imapTestUser, OAuth2Token: "tok-123"}
	var v strings.Builder
	cfg.Log = &v
	dialIMAP(t, cfg)
	if strings.Contains(v.String(), "tok-123") || strings.Contains(v.String(), b64("user="+imapTestUser)) {
		t.Fatalf("token in the transcript:\n%s", v.String())
	}
	cfg.Credentials.OAuth2Token = "expired"
	_, err := DialIMAP(context.Background(), cfg)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindAuth {
		t.Fatalf("bad token: %v, want KindAuth", err)
	}
}

func TestIMAPIdleUnsupported(t *testing.T) {
	fs := startIMAPFake(t, imapFake{noIdle: true})
	m := dialIMAP(t, fs.config())
	err := m.Idle(context.Background())
	if m.CanIdle() || !errors.Is(err, ErrIMAPNoIdle) {
		t.Fatalf("CanIdle %v, Idle: %v; want false and ErrIMAPNoIdle", m.CanIdle(), err)
	}
}
