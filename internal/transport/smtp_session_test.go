package transport

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestSMTPReusesConnection(t *testing.T) {
	ts := startServer(t, "starttls", nil)
	tr := newT(t, smtpConfig(ts, "starttls"))
	for i := 0; i < 3; i++ {
		if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if n := ts.conns.Load(); n != 1 {
		t.Fatalf("%d connections for 3 messages, want 1", n)
	}
	if _, used := ts.mechanisms(); len(used) != 1 {
		t.Fatalf("authenticated %d times, want 1", len(used))
	}
	if len(ts.messages()) != 3 {
		t.Fatalf("%d messages", len(ts.messages()))
	}
}

func TestSMTPReconnectsAfterDrop(t *testing.T) {
	ts := startServer(t, "starttls", nil)
	tr := newT(t, smtpConfig(ts, "starttls"))
	if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	tr.(*smtpTransport).cur.raw.Close() // the server "dropped" the idle connection
	if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
		t.Fatalf("send after drop: %v", err)
	}
	if n, m := ts.conns.Load(), len(ts.messages()); n != 2 || m != 2 {
		t.Fatalf("%d connections, %d messages; want 2, 2", n, m)
	}
}

func TestSMTPRefusalKeepsConnection(t *testing.T) {
	ts := startServer(t, "starttls", nil)
	tr := newT(t, smtpConfig(ts, "starttls"))
	ts.rcptErr = map[string]error{"x@example.org": &smtp.SMTPError{Code: 550, Message: "unknown"}}
	_, err := tr.Send(context.Background(), env("x@example.org"), []byte(testMsg))
	wantErr(t, err, KindPermanent, StageRcpt)
	if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	if n := ts.conns.Load(); n != 1 {
		t.Fatalf("%d connections", n)
	}
}

func TestSMTPVerify(t *testing.T) {
	ts := startServer(t, "starttls", func(s *testServer) { s.mechs = []string{"SCRAM-SHA-256", "PLAIN"} })
	cfg := smtpConfig(ts, "starttls")
	tr := newT(t, cfg)
	if err := tr.(Verifier).Verify(context.Background()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if _, used := ts.mechanisms(); len(used) != 1 || used[0] != "SCRAM-SHA-256" {
		t.Fatalf("used %v", used)
	}
	cfg.Credentials.Password = "nope"
	err := newT(t, cfg).(Verifier).Verify(context.Background())
	if e := wantErr(t, err, KindAuth, StageAuth); e.EnhancedCode != "5.7.8" {
		t.Fatalf("enhanced code %q", e.EnhancedCode)
	}
	if len(ts.messages()) != 0 {
		t.Fatal("Verify sent a message")
	}
}

// stallServer accepts connections and never answers.
func stallServer(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

func TestSMTPStallingServer(t *testing.T) {
	port := stallServer(t)
	for _, sec := range []string{"starttls", "tls", "none"} {
		t.Run(sec, func(t *testing.T) {
			cfg := Config{Kind: "smtp", Timeout: 200 * time.Millisecond,
				SMTP: SMTPConfig{Host: "127.0.0.1", Port: port, Security: sec}}
			start := time.Now()
			_, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg))
			e := wantErr(t, err, KindTemporary, map[string]string{"starttls": StageConnect, "tls": StageTLS, "none": StageEHLO}[sec])
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			if !e.Temporary() {
				t.Fatal("not temporary")
			}
		})
	}
}

func TestSMTPContextCancel(t *testing.T) {
	port := stallServer(t)
	cfg := Config{Kind: "smtp", Timeout: time.Minute, SMTP: SMTPConfig{Host: "127.0.0.1", Port: port}}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newT(t, cfg).Send(ctx, env("bob@example.org"), []byte(testMsg))
	wantErr(t, err, KindTemporary, StageConnect)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
}

func TestSMTPConnectErrors(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens: connection refused
	_, err := newT(t, Config{Kind: "smtp", SMTP: SMTPConfig{Host: "127.0.0.1", Port: port}}).
		Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	wantErr(t, err, KindTemporary, StageConnect)

	_, err = newT(t, Config{Kind: "smtp", SMTP: SMTPConfig{Host: "no-such-host.invalid", Port: 25}}).
		Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	var dns *net.DNSError
	if errors.As(err, &dns) && !dns.IsNotFound {
		t.Skipf("no working resolver: %v", err)
	}
	wantErr(t, err, KindPermanent, StageConnect)
}

func TestSMTPVerboseRedactsAuth(t *testing.T) {
	for _, mech := range []string{"PLAIN", "LOGIN", "SCRAM-SHA-256", "XOAUTH2"} {
		t.Run(mech, func(t *testing.T) {
			ts := startServer(t, "starttls", func(s *testServer) { s.mechs = []string{mech} })
			cfg := smtpConfig(ts, "starttls")
			if mech == "XOAUTH2" {
				cfg.Credentials = Credentials{Username: "alice", OAuth2Token: ts.token}
			}
			var buf bytes.Buffer
			cfg.Verbose = &buf
			if _, err := newT(t, cfg).Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, s := range append(secretsOf(cfg.Credentials), b64(ts.user), "Bearer") {
				if strings.Contains(out, s) {
					t.Fatalf("transcript contains %q:\n%s", s, out)
				}
			}
			for _, want := range []string{"S: 220 ", "C: EHLO client.test", "C: STARTTLS", "* tls established",
				"C: AUTH " + mech + " [redacted]", "S: 235 ", "C: MAIL FROM:<alice@example.org>",
				"C: DATA", "C: [" + itoa(len(strings.ReplaceAll(testMsg, "\n", "\r\n"))+1) + " bytes of message data]", "C: ."} {
				if !strings.Contains(out, want) {
					t.Fatalf("transcript lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, fakeGreeting) || strings.Contains(out, "hello") {
				t.Fatalf("transcript shows the replayed greeting or message body:\n%s", out)
			}
		})
	}
}
