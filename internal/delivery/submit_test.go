package delivery

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

func maildirResolver(t *testing.T, dir string) spool.Resolver {
	return func(*spool.Record) (transport.Transport, error) {
		return transport.New(transport.Config{Kind: "maildir", MaildirPath: dir, Hostname: "test"})
	}
}

func TestSubmitMaildir(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	md := filepath.Join(t.TempDir(), "mail")
	r, err := s.keys.Submit(context.Background(), sp, Submission{Profile: "p", SectionUID: "uid",
		Payload: payload(), Resolve: maildirResolver(t, md)})
	if err != nil || r.FlushErr != nil {
		t.Fatalf("Submit = %+v, %v", r, err)
	}
	if r.ID == "" || !r.Tried || r.State() != "sent" {
		t.Fatalf("receipt %+v, state %q; want sent", r, r.State())
	}
	if got := r.Accepted(); !reflect.DeepEqual(got, []string{"dana@example.com", "li@example.com"}) || len(r.Rejected()) != 0 {
		t.Errorf("accepted %q, rejected %+v", got, r.Rejected())
	}
	files, _ := os.ReadDir(filepath.Join(md, "new"))
	if len(files) != 1 {
		t.Fatalf("%d messages in the Maildir, want 1", len(files))
	}
	b, _ := os.ReadFile(filepath.Join(md, "new", files[0].Name()))
	if !strings.Contains(string(b), "Subject: hi") {
		t.Errorf("delivered %q", b)
	}
	if _, err := sp.Get(r.ID); !mapi.IsCode(err, mapi.NotFound) {
		t.Errorf("a sent message is still in the spool: %v", err)
	}
}

func TestSubmitQueueOnly(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	sess := newKey(t)
	snap := sessionSnap(sess, s.key.rcp)
	resolved := false
	r, err := s.keys.Submit(context.Background(), sp, Submission{Profile: "p", SectionUID: "uid", Session: snap.ID,
		Snap: snap, Payload: payload(), QueueOnly: true,
		Resolve: func(*spool.Record) (transport.Transport, error) { resolved = true; return nil, nil }})
	if err != nil || r.Tried || r.FlushErr != nil || r.State() != spool.StateQueued || resolved {
		t.Fatalf("Submit(QueueOnly) = %+v (state %q), %v; resolved %v", r, r.State(), err, resolved)
	}
	rec, err := sp.Get(r.ID)
	if err != nil || rec.State != spool.StateQueued || rec.Session != snap.ID || rec.Profile != "p" || rec.SectionUID != "uid" {
		t.Fatalf("record %+v, %v", rec, err)
	}
	// Sealed to the session and to identity.pub: either opens it, and
	// queueing needed no store identity.
	if !opens(SessionOpener(snap), sealedPayload(t, s, r.ID)) || s.loads != 0 {
		t.Errorf("the session key cannot open the queued message (%d loads)", s.loads)
	}
	if _, p, err := sp.Load(r.ID, s.keys.Opener(nil)); err != nil || p.From != "me@example.com" {
		t.Errorf("the store identity cannot open the queued message: %v", err)
	}
}

func TestSubmitFlushCannotRun(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	r, err := s.keys.Submit(context.Background(), sp, Submission{Profile: "p", SectionUID: "uid", Payload: payload()})
	if err != nil || r.ID == "" || r.FlushErr == nil || r.Tried || r.State() != spool.StateQueued {
		t.Fatalf("Submit without a resolver = %+v, %v; want queued with a FlushErr", r, err)
	}
	if rec, err := sp.Get(r.ID); err != nil || rec.State != spool.StateQueued {
		t.Errorf("record %+v, %v; want it queued", rec, err)
	}
}

func TestSubmitTransportFails(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	refused := mapi.Errorf(mapi.Unconfigured, "section has no stored credentials")
	r, err := s.keys.Submit(context.Background(), sp, Submission{Profile: "p", SectionUID: "uid", Payload: payload(),
		Resolve: func(*spool.Record) (transport.Transport, error) { return nil, refused }})
	if err != nil || !r.Tried {
		t.Fatalf("Submit = %+v, %v", r, err)
	}
	if r.State() == "sent" || r.Outcome.Err == nil || !mapi.IsCode(r.Outcome.Err, mapi.Unconfigured) {
		t.Errorf("receipt %+v (state %q); want the resolver's error in the outcome", r, r.State())
	}
}

func TestSubmitSealError(t *testing.T) {
	s := newStore(t, false)
	s.failingIdentities()
	sp := s.spool(t)
	r, err := s.keys.Submit(context.Background(), sp, Submission{Profile: "p", Payload: payload(), QueueOnly: true})
	if !mapi.IsCode(err, mapi.Unconfigured) || r.ID != "" {
		t.Fatalf("Submit with no recipient to seal to = %+v, %v", r, err)
	}
	if recs, err := sp.List(); err != nil || len(recs) != 0 {
		t.Errorf("queued %d, %v; want nothing", len(recs), err)
	}
	ok := newStore(t, true)
	r, err = ok.keys.Submit(context.Background(), ok.spool(t), Submission{Profile: "p",
		Payload: &spool.Payload{From: "me@example.com"}, QueueOnly: true})
	if !mapi.IsCode(err, mapi.InvalidParameter) || r.ID != "" {
		t.Errorf("Submit of a payload with no recipient = %+v, %v; want the spool's refusal", r, err)
	}
}

// rcptServer is an in-process SMTP server that refuses RCPT TO for
// addresses starting with "nobody" and records the messages it accepts.
type rcptServer struct {
	mu   sync.Mutex
	data [][]byte
	to   []string
}

type rcptSession struct{ s *rcptServer }

func (rcptSession) Reset()                               {}
func (rcptSession) Logout() error                        { return nil }
func (rcptSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x rcptSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.s.mu.Lock()
	x.s.to = append(x.s.to, to)
	x.s.mu.Unlock()
	return nil
}
func (x rcptSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.data = append(x.s.data, b)
	x.s.mu.Unlock()
	return err
}

func TestSubmitSMTPPartial(t *testing.T) {
	rs := &rcptServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return rcptSession{rs}, nil }))
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	port := l.Addr().(*net.TCPAddr).Port

	s := newStore(t, true)
	sp := s.spool(t)
	p := payload()
	p.To = []string{"dana@example.com", "nobody@example.com"}
	r, err := s.keys.Submit(context.Background(), sp, Submission{Profile: "p", SectionUID: "uid", Payload: p,
		Resolve: func(*spool.Record) (transport.Transport, error) {
			return transport.New(transport.Config{Kind: "smtp", Hostname: "client.test",
				SMTP: transport.SMTPConfig{Host: "127.0.0.1", Port: port, Security: "none", Auth: "none"}})
		}})
	if err != nil || !r.Tried {
		t.Fatalf("Submit = %+v, %v", r, err)
	}
	if r.State() != "partial" {
		t.Fatalf("state %q (%+v), want partial", r.State(), r.Outcome)
	}
	if got := r.Accepted(); !reflect.DeepEqual(got, []string{"dana@example.com"}) {
		t.Errorf("accepted %q", got)
	}
	if rej := r.Rejected(); len(rej) != 1 || rej[0].Address != "nobody@example.com" || rej[0].SMTPCode != 550 {
		t.Errorf("rejected %+v", rej)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.data) != 1 || !reflect.DeepEqual(rs.to, []string{"dana@example.com"}) {
		t.Errorf("server got %d messages for %q", len(rs.data), rs.to)
	}
}
