package transport

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// rawServer is a hand-written SMTP server on a net.Listener (plain text):
// unlike go-smtp's it can misbehave, e.g. send several replies in one write
// before the client asks, or put control characters in its replies.
type rawServer struct {
	addr string
	port int
	// rcptReply is the reply to RCPT ("250 ok" if empty).
	rcptReply string
	mu        sync.Mutex
	gotPass   []string // passwords the server received (decoded)
	verbs     []string // every command's verb, in order, over all connections
	conns     int      // connections accepted
	// closeAfter, when > 0, closes a connection (no reply, as a server's
	// idle timeout does) once it carried that many messages.
	closeAfter int
}

func startRawServer(t *testing.T, rcptReply string) *rawServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs := &rawServer{addr: l.Addr().String(), port: l.Addr().(*net.TCPAddr).Port, rcptReply: rcptReply}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go rs.serve(c)
		}
	}()
	return rs
}

func (rs *rawServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	line := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			return "QUIT"
		}
		return strings.TrimRight(l, "\r\n")
	}
	say := func(s string) { c.Write([]byte(s)) }
	say("220 raw ESMTP\r\n")
	rs.mu.Lock()
	rs.conns++
	closeAfter := rs.closeAfter
	rs.mu.Unlock()
	carried := 0
	for {
		l := line()
		verb := strings.ToUpper(strings.Fields(l + " x")[0])
		rs.mu.Lock()
		rs.verbs = append(rs.verbs, verb)
		rs.mu.Unlock()
		switch verb {
		case "EHLO":
			say("250-raw\r\n250 AUTH LOGIN PLAIN\r\n")
		case "AUTH":
			if strings.Contains(strings.ToUpper(l), "PLAIN") {
				say("235 2.7.0 ok\r\n")
				continue
			}
			say("334 VXNlcm5hbWU6\r\n")
			line() // user
			// the password prompt and the final reply in one write, before
			// the client has answered the prompt
			say("334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n")
			p := line()
			rs.mu.Lock()
			rs.gotPass = append(rs.gotPass, p)
			rs.mu.Unlock()
		case "MAIL", "RSET", "NOOP":
			say("250 ok\r\n")
		case "RCPT":
			if rs.rcptReply != "" {
				say(rs.rcptReply + "\r\n")
			} else {
				say("250 ok\r\n")
			}
		case "DATA":
			say("354 go\r\n")
			for line() != "." {
			}
			say("250 queued\r\n")
			if carried++; closeAfter > 0 && carried >= closeAfter {
				return
			}
		case "QUIT":
			say("221 bye\r\n")
			return
		default:
			say("500 what\r\n")
		}
	}
}

func rawConfig(rs *rawServer, auth string, verbose *bytes.Buffer) Config {
	return Config{Kind: "smtp", Hostname: "client.test", Verbose: verbose,
		SMTP: SMTPConfig{Host: "127.0.0.1", Port: rs.port, Security: "none", Auth: auth,
			AllowInsecureAuth: true},
		Credentials: Credentials{Username: "alice@example.org", Password: "s3cret-Pw-9f2"}}
}

// TestVerbosePipelinedAuth is issue 24 point 6 end to end: against a server
// that sends "334 …" and "235 ok" in one write, the -v transcript shows
// neither the password nor "\0user\0pass" in base64, and does show the
// redaction marker.
func TestVerbosePipelinedAuth(t *testing.T) {
	for _, mech := range []string{"login", "plain"} {
		t.Run(mech, func(t *testing.T) {
			rs := startRawServer(t, "")
			var verbose bytes.Buffer
			tr := newT(t, rawConfig(rs, mech, &verbose))
			if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
				t.Fatalf("send: %v\n%s", err, verbose.String())
			}
			tr.Close()
			got := verbose.String()
			const user, pass = "alice@example.org", "s3cret-Pw-9f2"
			for _, secret := range []string{pass, b64(pass), b64("\x00" + user + "\x00" + pass), b64(user)} {
				if strings.Contains(got, secret) {
					t.Fatalf("transcript shows %q:\n%s", secret, got)
				}
			}
			if !strings.Contains(got, "C: AUTH "+strings.ToUpper(mech)+" [redacted]\n") ||
				!strings.Contains(got, "C: MAIL FROM:<alice@example.org>") {
				t.Fatalf("transcript:\n%s", got)
			}
			if mech == "login" {
				rs.mu.Lock()
				defer rs.mu.Unlock()
				if len(rs.gotPass) != 1 || rs.gotPass[0] != b64(pass) {
					t.Fatalf("server got password %q", rs.gotPass) // the test exercised the leak path
				}
				if strings.Count(got, "C: [redacted]\n") != 2 {
					t.Fatalf("want both LOGIN answers redacted:\n%s", got)
				}
			}
		})
	}
}

// TestServerControlCharacters is issue 24 point 7 at the transport: a
// server reply with ESC[2J and a bare CR reaches the -v transcript escaped,
// and the error keeps the text (escaping is for display: cmd/mapictl
// escapes text output, JSON escapes itself).
func TestServerControlCharacters(t *testing.T) {
	rs := startRawServer(t, "550 5.1.1 \x1b[2Jgone\rspoofed")
	var verbose bytes.Buffer
	tr := newT(t, rawConfig(rs, "none", &verbose))
	_, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	e := wantErr(t, err, KindPermanent, StageRcpt)
	if !strings.Contains(e.Message, "\x1b[2Jgone") {
		t.Fatalf("error message %q", e.Message)
	}
	tr.Close()
	got := verbose.String()
	if !strings.Contains(got, `S: 550 5.1.1 \x1b[2Jgone\rspoofed`+"\n") {
		t.Fatalf("transcript:\n%s", got)
	}
	checkPrintable(t, got)
	for _, l := range strings.Split(got, "\n") {
		if !textsafe.Safe(l) {
			t.Fatalf("raw control character in %q", l)
		}
	}
}
