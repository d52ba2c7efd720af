package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/rogpeppe/go-internal/testscript"
)

func init() { testCmds["sessionsmtp"] = cmdSessionSMTP }

// cmdSessionSMTP: sessionsmtp USER PASS — start an in-process SMTP server
// (no TLS, AUTH PLAIN accepting only USER/PASS, required before MAIL) on
// 127.0.0.1 and set $SESSION_SMTP_PORT. Each accepted message appends
// "MAIL FROM:<a> From:<b>" to $WORK/smtp.log; each AUTH attempt appends
// "AUTH ok" or "AUTH refused".
func cmdSessionSMTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sessionsmtp USER PASS")
	}
	rec := &smtpRecorder{user: args[0], pass: args[1], log: ts.MkAbs("smtp.log")}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &recSession{rec: rec}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	go srv.Serve(l)
	ts.Defer(func() { srv.Close() })
	ts.Setenv("SESSION_SMTP_PORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

type smtpRecorder struct {
	user, pass, log string
	mu              sync.Mutex
}

func (r *smtpRecorder) append(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := os.OpenFile(r.log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, line)
}

type recSession struct {
	rec    *smtpRecorder
	authed bool
	from   string
}

func (s *recSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *recSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.rec.user || password != s.rec.pass {
			s.rec.append("AUTH refused")
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "invalid credentials"}
		}
		s.rec.append("AUTH ok")
		s.authed = true
		return nil
	}), nil
}

func (s *recSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *recSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (s *recSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return err
	}
	s.rec.append(fmt.Sprintf("MAIL FROM:<%s> From:%s", s.from, m.Header.Get("From")))
	return nil
}

func (s *recSession) Reset()        {}
func (s *recSession) Logout() error { return nil }

func init() {
	testCmds["stdout2token"] = cmdStdoutToToken
	testCmds["splicetoken"] = cmdSpliceToken
}

// cmdStdoutToToken: stdout2token VAR [FILE] — set VAR to the token of the
// last stdout's "export MAPICTL_SESSION=TOKEN" line, and write it to FILE
// with a trailing newline.
func cmdStdoutToToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: stdout2token VAR [FILE]")
	}
	out := strings.TrimSpace(ts.ReadFile("stdout"))
	tok, ok := strings.CutPrefix(out, "export MAPICTL_SESSION=")
	if !ok || strings.ContainsAny(tok, " \n") {
		ts.Fatalf("stdout is not one export line")
	}
	ts.Setenv(args[0], tok)
	if len(args) == 2 {
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(tok+"\n"), 0o600))
	}
}

// cmdSpliceToken: splicetoken VAR TOKEN-A TOKEN-B — set VAR to A's ID with
// B's key: a well-formed token that does not open session A.
func cmdSpliceToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: splicetoken VAR TOKEN-A TOKEN-B")
	}
	idA, _, okA := strings.Cut(args[1], ".")
	_, keyB, okB := strings.Cut(args[2], ".")
	if !okA || !okB {
		ts.Fatalf("malformed tokens")
	}
	ts.Setenv(args[0], idA+"."+keyB)
}
