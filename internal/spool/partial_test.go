package spool

import (
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/transport"
)

// rcptServer is an in-process SMTP server that refuses recipients by their
// local part: "tmp…" with 451 (until accept is set), "bad…" with 550; it
// records the recipients of every message it accepted.
type rcptServer struct {
	mu     sync.Mutex
	accept bool     // take the "tmp…" recipients too
	got    []string // one entry per accepted message: its recipients, sorted, comma-joined
	port   int
}

type rcptSession struct {
	s  *rcptServer
	to []string
}

func (s *rcptSession) Reset()                               { s.to = nil }
func (s *rcptSession) Logout() error                        { return nil }
func (s *rcptSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *rcptSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.s.mu.Lock()
	accept := s.s.accept
	s.s.mu.Unlock()
	switch {
	case strings.HasPrefix(to, "tmp") && !accept:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	case strings.HasPrefix(to, "bad"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *rcptSession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	to := slices.Clone(s.to)
	slices.Sort(to)
	s.s.got = append(s.s.got, strings.Join(to, ","))
	return nil
}

func newRcptServer(t *testing.T) *rcptServer {
	rs := &rcptServer{}
	rs.port = serveSMTP(t, smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &rcptSession{s: rs}, nil }))
	return rs
}

func (rs *rcptServer) delivered() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return slices.Clone(rs.got)
}

func (rs *rcptServer) setAccept() { rs.mu.Lock(); rs.accept = true; rs.mu.Unlock() }

// flush flushes e through rs (every message, or only those due).
func (rs *rcptServer) flush(e *env, due bool) []Outcome {
	e.t.Helper()
	return e.flushWith(nil, func(o *FlushOptions) {
		o.Due = due
		o.Resolve = func(*Record) (transport.Transport, error) {
			return transport.New(transport.Config{Kind: "smtp", Hostname: "client.test",
				SMTP: transport.SMTPConfig{Host: "127.0.0.1", Port: rs.port, Security: "none", Auth: "none"}})
		}
	})
}

// TestPartialDeferredStaysQueued: a recipient refused with 451 while
// another accepted the message stays queued, alone, and is delivered by a
// later flush; the accepted one never gets the message again.
func TestPartialDeferredStaysQueued(t *testing.T) {
	rs := newRcptServer(t)
	e := newEnv(t)
	id := e.enqueue(testPayload("tmpb@x.test", "okb@x.test"))
	out := rs.flush(e, false)
	var te *transport.Error
	if len(out) != 1 || out[0].State != StateQueued || !errorsAs(out[0].Err, &te) ||
		te.Kind != transport.KindTemporary || te.Stage != transport.StageRcpt || te.SMTPCode != 451 ||
		out[0].Result == nil || !slices.Equal(out[0].Result.Accepted, []string{"okb@x.test"}) ||
		len(out[0].Result.Rejected) != 1 || out[0].FailedID != "" {
		t.Fatalf("first flush %+v", out)
	}
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateQueued || rec.Attempts != 1 || rec.ErrorKind != "temporary" ||
		!rec.LastAttempt.Equal(e.clock.now()) || !rec.NextAttempt.Equal(e.clock.now().Add(time.Minute)) {
		t.Fatalf("record %+v %v", rec, err)
	}
	if !slices.Equal(p.To, []string{"tmpb@x.test"}) || len(p.Rejected) != 1 || p.Rejected[0].SMTPCode != 451 ||
		!strings.Contains(p.Reason, "deferred") || p.NDR != nil {
		t.Fatalf("payload To %v, rejected %+v, reason %q", p.To, p.Rejected, p.Reason)
	}
	if l, err := e.s.List(); err != nil || len(l) != 1 || l[0].ID != id || l[0].State != StateQueued {
		t.Fatalf("list %+v %v", l, err)
	}
	// Not due yet; still refused when due: attempts 2, next backoff.
	if out := rs.flush(e, true); len(out) != 1 || !out[0].Skipped {
		t.Fatalf("not due, but %+v", out)
	}
	e.clock.add(time.Minute)
	if out := rs.flush(e, true); len(out) != 1 || out[0].State != StateQueued {
		t.Fatalf("second flush %+v", out)
	}
	if rec, _ := e.s.Get(id); rec.Attempts != 2 || !rec.NextAttempt.Equal(e.clock.now().Add(5*time.Minute)) {
		t.Fatalf("after the second try %+v", rec)
	}
	rs.setAccept()
	e.clock.add(5 * time.Minute)
	if out := rs.flush(e, true); len(out) != 1 || out[0].State != "sent" || out[0].Err != nil {
		t.Fatalf("third flush %+v", out)
	}
	if out := rs.flush(e, false); len(out) != 0 {
		t.Fatalf("flush after delivery %+v", out)
	}
	if got := rs.delivered(); !slices.Equal(got, []string{"okb@x.test", "tmpb@x.test"}) {
		t.Fatalf("server got %q", got)
	}
	if e.place(id) != "" || len(e.warns) != 0 {
		t.Fatalf("place %q, warns %v", e.place(id), e.warns)
	}
}

// TestPartialMixed: accepted, 451 and 550 in one transaction. The 550 one
// is failed with its report as a message of its own; the 451 one stays
// queued; spool retry of the failed one sends to it alone.
func TestPartialMixed(t *testing.T) {
	rs := newRcptServer(t)
	e := newEnv(t)
	id := e.enqueue(testPayload("tmpb@x.test", "okb@x.test", "badb@x.test"))
	out := rs.flush(e, false)
	if len(out) != 1 || out[0].State != "partial" || out[0].Err != nil || out[0].FailedID == "" ||
		out[0].FailedID == id || !out[0].Report || len(out[0].Result.Rejected) != 2 {
		t.Fatalf("flush %+v", out)
	}
	fid := out[0].FailedID
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateQueued || rec.Attempts != 1 || !slices.Equal(p.To, []string{"tmpb@x.test"}) || p.NDR != nil {
		t.Fatalf("queued part %+v %v %v", rec, p.To, err)
	}
	frec, fp, err := e.s.Load(fid, e.keys)
	if err != nil || frec.State != StateFailed || frec.ErrorKind != "permanent" || frec.Attempts != 1 ||
		frec.Profile != rec.Profile || frec.SectionUID != rec.SectionUID ||
		!slices.Equal(fp.To, []string{"badb@x.test"}) || len(fp.Rejected) != 1 || fp.Rejected[0].SMTPCode != 550 {
		t.Fatalf("failed part %+v %+v %v", frec, fp, err)
	}
	checkNDR(t, fp.NDR, "badb@x.test", "5.1.1")
	if strings.Contains(string(fp.NDR), "<tmpb@x.test>") || strings.Contains(string(fp.NDR), "<okb@x.test>") {
		t.Fatalf("the report names another recipient as failed:\n%s", fp.NDR)
	}
	if e.place(fid) != failedDir || e.place(id) != outboxDir {
		t.Fatalf("places %q %q; files %v", e.place(id), e.place(fid), e.files())
	}
	// The failed part comes back with spool retry and goes to its
	// recipient alone; the queued part to its own, once accepted.
	if err := e.s.Retry(fid); err != nil {
		t.Fatal(err)
	}
	rs.setAccept()
	e.clock.add(time.Minute)
	out = rs.flush(e, false)
	if len(out) != 2 {
		t.Fatalf("second flush %+v", out)
	}
	for _, oc := range out {
		if oc.State == "sent" {
			continue
		}
		if oc.ID != fid || oc.State != StateFailed {
			t.Fatalf("second flush %+v", out)
		}
	}
	got := rs.delivered()
	if !slices.Equal(got[:1], []string{"okb@x.test"}) || !slices.Contains(got, "tmpb@x.test") || len(got) != 2 {
		t.Fatalf("server got %q", got)
	}
	if e.place(id) != "" {
		t.Fatalf("queued part still %q", e.place(id))
	}
}

// TestPartialDeferredExpires: a recipient still refused for now five days
// after the message was queued fails with a report naming it.
func TestPartialDeferredExpires(t *testing.T) {
	rs := newRcptServer(t)
	e := newEnv(t)
	id := e.enqueue(testPayload("tmpb@x.test", "okb@x.test"))
	if out := rs.flush(e, false); out[0].State != StateQueued {
		t.Fatalf("%+v", out)
	}
	e.clock.add(expiry + time.Hour)
	out := rs.flush(e, true)
	if len(out) != 1 || out[0].State != StateFailed || !out[0].Report {
		t.Fatalf("%+v", out)
	}
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateFailed || rec.Attempts != 2 || !slices.Equal(p.To, []string{"tmpb@x.test"}) ||
		!strings.Contains(p.Reason, "expired") {
		t.Fatalf("%+v To %v reason %q: %v", rec, p.To, p.Reason, err)
	}
	checkNDR(t, p.NDR, "tmpb@x.test", "4.3.0")
	if got := rs.delivered(); !slices.Equal(got, []string{"okb@x.test"}) {
		t.Fatalf("server got %q", got)
	}
}

// TestPartialExpiredAtFirstTry: a partial delivery whose first try comes
// after the expiry fails its deferred recipients at once, with a report.
func TestPartialExpiredAtFirstTry(t *testing.T) {
	rs := newRcptServer(t)
	e := newEnv(t)
	id := e.enqueue(testPayload("tmpb@x.test", "okb@x.test"))
	e.clock.add(expiry + time.Hour)
	out := rs.flush(e, false)
	if len(out) != 1 || out[0].State != "partial" || !out[0].Report || out[0].FailedID != "" {
		t.Fatalf("%+v", out)
	}
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateFailed || rec.ErrorKind != "permanent" || rec.Attempts != 1 ||
		!slices.Equal(p.To, []string{"tmpb@x.test"}) || !strings.Contains(p.Reason, "expired") {
		t.Fatalf("%+v To %v reason %q: %v", rec, p.To, p.Reason, err)
	}
}

// TestPartialAllPermanentCountsTheAttempt: the path that was right before
// (every refusal 5xx) still fails the message whole, with an attempt.
func TestPartialAllPermanentCountsTheAttempt(t *testing.T) {
	rs := newRcptServer(t)
	e := newEnv(t)
	id := e.enqueue(testPayload("badb@x.test", "okb@x.test"))
	if out := rs.flush(e, false); len(out) != 1 || out[0].State != "partial" || out[0].FailedID != "" || !out[0].Report {
		t.Fatalf("%+v", out)
	}
	if rec, err := e.s.Get(id); err != nil || rec.State != StateFailed || rec.Attempts != 1 ||
		!rec.LastAttempt.Equal(e.clock.now()) {
		t.Fatalf("%+v %v", rec, err)
	}
}

// TestPartialCrash crashes a mixed partial delivery between its steps: after
// Recover nothing is lost. Before the queued message is narrowed it still
// holds every recipient (sent again: at least once); the failed part is
// either whole or gone.
func TestPartialCrash(t *testing.T) {
	mixed := func(env *transport.Envelope) (*transport.Result, error) {
		return &transport.Result{Accepted: []string{"okb@x.test"}, Rejected: []transport.Rejection{
			{Address: "tmpb@x.test", SMTPCode: 451, Temporary: true},
			{Address: "badb@x.test", SMTPCode: 550}}}, nil
	}
	for point, wantTo := range map[string][]string{
		"after-split-age": {"tmpb@x.test", "okb@x.test", "badb@x.test"},
		"after-split":     {"tmpb@x.test", "okb@x.test", "badb@x.test"},
		"after-defer-age": {"tmpb@x.test"},
	} {
		t.Run(point, func(t *testing.T) {
			e := newEnv(t)
			id := e.enqueue(testPayload("tmpb@x.test", "okb@x.test", "badb@x.test"))
			tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){mixed}}
			if !crashAt(point, func() { e.flushWith(tr, nil) }) {
				t.Fatalf("no crash at %s", point)
			}
			if err := e.s.Recover(e.keys); err != nil {
				t.Fatal(err)
			}
			_, p, err := e.s.Load(id, e.keys)
			if err != nil || e.place(id) != outboxDir || !slices.Equal(p.To, wantTo) {
				t.Fatalf("queued message: %v, %v; files %v", p, err, e.files())
			}
			ids, _ := e.s.allIDs()
			for _, other := range ids {
				if other == id {
					continue
				}
				if e.place(other) != failedDir {
					t.Fatalf("split part %s in %q", other, e.place(other))
				}
				if _, fp, err := e.s.Load(other, e.keys); err != nil || !slices.Equal(fp.To, []string{"badb@x.test"}) || fp.NDR == nil {
					t.Fatalf("split part %+v %v", fp, err)
				}
			}
			if point != "after-split-age" && len(ids) != 2 {
				t.Fatalf("ids %v", ids)
			}
			for _, f := range e.files() {
				if strings.HasSuffix(f, ".tmp") || strings.HasSuffix(f, ".lock") && !strings.Contains(f, id) {
					t.Errorf("left over: %s", f)
				}
			}
		})
	}
}
