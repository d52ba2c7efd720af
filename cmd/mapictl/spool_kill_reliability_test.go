package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// killServer is an SMTP server whose DATA can be held: it reports when a
// message's data has arrived and, while held, answers only when released.
type killServer struct {
	mu        sync.Mutex
	hold      bool
	inData    chan struct{} // a message's data has arrived (held or not)
	release   chan struct{} // closed to let a held DATA answer
	delivered []string      // Subjects of the messages accepted with 250
}

func (k *killServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &killSession{k: k}, nil }

type killSession struct{ k *killServer }

func (s *killSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *killSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *killSession) Reset()                               {}
func (s *killSession) Logout() error                        { return nil }

func (s *killSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.k.mu.Lock()
	hold := s.k.hold
	s.k.mu.Unlock()
	select {
	case s.k.inData <- struct{}{}:
	default:
	}
	if hold {
		<-s.k.release
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "released"}
	}
	subject := ""
	for _, line := range strings.Split(string(b), "\r\n") {
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			subject = v
		}
	}
	s.k.mu.Lock()
	s.k.delivered = append(s.k.delivered, subject)
	s.k.mu.Unlock()
	return nil
}

// TestKillDuringSpoolFlush kills a real `spool flush` process with SIGKILL
// while the server holds its DATA, then flushes again: the message is
// delivered exactly once (the killed attempt never got a 250), the outbox
// ends empty and no delivery lock is left behind. This is the process-level
// form of the spool package's crash-point tests (issue 7).
func TestKillDuringSpoolFlush(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	k := &killServer{hold: true, inData: make(chan struct{}, 1), release: make(chan struct{})}
	port := serveSMTP(t, k)

	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "mx", "--transport", "smtp", "--set", "smtp.host=127.0.0.1",
		"--set", "smtp.port="+itoa(port), "--set", "smtp.security=none", "--set", "smtp.auth=none",
		"--set", "email=me@example.com")
	s.must("message", "send", "--queue", "--to", "dana@example.com", "--subject", "kill-test", "--body", "b")

	flush := s.cmd("spool", "flush")
	var out bytes.Buffer
	flush.Stdout, flush.Stderr = &out, &out
	if err := flush.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-k.inData:
	case <-time.After(20 * time.Second):
		_ = flush.Process.Kill()
		t.Fatalf("the flush never reached DATA:\n%s", out.String())
	}
	if err := flush.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = flush.Wait()
	k.mu.Lock()
	k.hold = false
	k.mu.Unlock()
	close(k.release)

	s.must("spool", "flush")
	k.mu.Lock()
	got := append([]string(nil), k.delivered...)
	k.mu.Unlock()
	if len(got) != 1 || got[0] != "kill-test" {
		t.Fatalf("delivered %q, want the message once", got)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(s.must("spool", "list", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Errorf("spool after the second flush: %v", list)
	}
}
