package transport

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// hangAfterServer answers a plaintext dialogue up to and including the
// reply to the command starting with hangOn (case-insensitive), then reads
// and never answers again. "" hangs right after accepting (no greeting).
func hangAfterServer(t *testing.T, hangOn string) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if hangOn == "" {
					<-done
					return
				}
				r := bufio.NewReader(c)
				c.Write([]byte("220 hang ESMTP\r\n"))
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					verb := strings.ToUpper(strings.TrimSpace(l))
					switch {
					case strings.HasPrefix(verb, "EHLO"):
						c.Write([]byte("250-hang\r\n250 8BITMIME\r\n"))
					case strings.HasPrefix(verb, "DATA"):
						c.Write([]byte("354 go ahead\r\n"))
					default:
						c.Write([]byte("250 ok\r\n"))
					}
					if strings.HasPrefix(verb, strings.ToUpper(hangOn)) {
						<-done // swallow the rest, answer nothing
						return
					}
				}
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// Issue 26: a cancelled ctx interrupts every blocked step promptly (well
// before the step timeout) with a temporary error, so the spool keeps the
// message queued: the greeting (plaintext and before STARTTLS), the TLS
// handshake (implicit TLS to a server that never answers it), and a
// transaction blocked waiting for the server after DATA.
func TestSMTPCancelInterruptsEveryStep(t *testing.T) {
	for _, tc := range []struct {
		name, security, hangOn string
	}{
		{"greeting starttls", "starttls", ""},
		{"greeting none", "none", ""},
		{"handshake tls", "tls", ""},
		{"reply after data", "none", "DATA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := hangAfterServer(t, tc.hangOn)
			cfg := Config{Kind: "smtp", Timeout: time.Minute,
				SMTP: SMTPConfig{Host: "127.0.0.1", Port: port, Security: tc.security}}
			tr := newT(t, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := tr.Send(ctx, env("bob@example.org"), []byte(testMsg))
			d := time.Since(start)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			e, ok := err.(*Error)
			if !ok || !e.Temporary() {
				t.Fatalf("error %v (%T), want a temporary *Error", err, err)
			}
			if d > time.Second {
				t.Fatalf("Send returned %v after the cancellation, want within 1s", d-100*time.Millisecond)
			}
			if !strings.HasPrefix(e.Message, "interrupted") {
				t.Errorf("message %q, want it to say interrupted", e.Message)
			}
		})
	}
}

// Verify (session logon) is interrupted the same way.
func TestSMTPVerifyCancel(t *testing.T) {
	port := hangAfterServer(t, "")
	tr := newT(t, Config{Kind: "smtp", Timeout: time.Minute, SMTP: SMTPConfig{Host: "127.0.0.1", Port: port}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := tr.(Verifier).Verify(ctx)
	if e, ok := err.(*Error); !ok || !e.Temporary() || time.Since(start) > time.Second {
		t.Fatalf("Verify: %v after %v, want a temporary *Error within 1s", err, time.Since(start))
	}
}
