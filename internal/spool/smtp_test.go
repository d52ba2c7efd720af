package spool

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/transport"
)

// greylister is an in-process SMTP backend that answers the first DATA with
// 451 and accepts afterwards, recording what it accepted.
type greylister struct {
	mu       sync.Mutex
	datas    int
	accepted [][]byte
	rcpts    []string
}

type greySession struct {
	g  *greylister
	to []string
}

func (s *greySession) Reset()                                    { s.to = nil }
func (s *greySession) Logout() error                             { return nil }
func (s *greySession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *greySession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *greySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	s.g.datas++
	if s.g.datas == 1 {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "greylisted, try again"}
	}
	s.g.accepted = append(s.g.accepted, b)
	s.g.rcpts = append(s.g.rcpts, s.to...)
	return nil
}

// serveSMTP serves be with go-smtp on a loopback port until the test ends
// and returns the port.
func serveSMTP(t *testing.T, be smtp.Backend) int {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

func TestSMTPGreylistThenDelivered(t *testing.T) {
	g := &greylister{}
	port := serveSMTP(t, smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &greySession{g: g}, nil }))

	e := newEnv(t)
	id := e.enqueue(testPayload())
	resolves := 0
	o := func(o *FlushOptions) {
		o.Due = true
		o.Resolve = func(*Record) (transport.Transport, error) {
			resolves++
			return transport.New(transport.Config{Kind: "smtp", Hostname: "client.test",
				SMTP: transport.SMTPConfig{Host: "127.0.0.1", Port: port, Security: "none", Auth: "none"}})
		}
	}
	out := e.flushWith(nil, o)
	var te *transport.Error
	if len(out) != 1 || out[0].State != StateQueued || !errorsAs(out[0].Err, &te) || te.SMTPCode != 451 || te.Kind != transport.KindTemporary {
		t.Fatalf("first flush %+v", out)
	}
	rec, err := e.s.Get(id)
	if err != nil || rec.Attempts != 1 || rec.ErrorKind != "temporary" {
		t.Fatalf("%+v %v", rec, err)
	}
	if out := e.flushWith(nil, o); len(out) != 1 || !out[0].Skipped {
		t.Fatalf("not due yet, but %+v", out)
	}
	e.clock.add(rec.NextAttempt.Sub(e.clock.now()))
	out = e.flushWith(nil, o)
	if len(out) != 1 || out[0].State != "sent" || out[0].Err != nil {
		t.Fatalf("second flush %+v", out)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.accepted) != 1 || len(g.rcpts) != 1 || g.rcpts[0] != secretRcpt {
		t.Fatalf("server accepted %d messages for %v", len(g.accepted), g.rcpts)
	}
	// The flush that only skipped a message not due never resolved a transport.
	if e.place(id) != "" || resolves != 2 {
		t.Fatalf("place %q, resolves %d", e.place(id), resolves)
	}
}
