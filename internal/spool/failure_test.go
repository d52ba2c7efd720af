package spool

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

func TestExpiryAfterFiveDays(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindTemporary, 421, "4.4.2", "timeout")}}
	e.clock.add(4 * 24 * time.Hour)
	if out := e.flushWith(tr, nil); out[0].State != StateQueued {
		t.Fatalf("after 4 days: %+v", out)
	}
	e.clock.add(24*time.Hour + time.Minute)
	out := e.flushWith(tr, nil)
	if out[0].State != StateFailed || out[0].Err == nil {
		t.Fatalf("after 5 days: %+v", out)
	}
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateFailed || !strings.HasPrefix(p.Reason, "expired after 5 days: ") || len(p.NDR) == 0 {
		t.Fatalf("rec %+v reason %q ndr %d: %v", rec, p.Reason, len(p.NDR), err)
	}
	checkNDR(t, p.NDR, secretRcpt, "4.4.2")
}

func checkNDR(t *testing.T, ndr []byte, rcpt, status string) {
	t.Helper()
	m, err := gomessage.Read(bytes.NewReader(ndr))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := m.Header.ContentType()
	if mt != "multipart/report" || params["report-type"] != "delivery-status" {
		t.Fatalf("ndr type %q %v", mt, params)
	}
	mr := m.MultipartReader()
	found := false
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		if ct, _, _ := part.Header.ContentType(); ct == "message/delivery-status" {
			b, _ := readAll(part.Body)
			found = strings.Contains(string(b), rcpt) && strings.Contains(string(b), "Status: "+status)
		}
	}
	if !found {
		t.Fatalf("no delivery-status for %s with %s in:\n%s", rcpt, status, ndr)
	}
}

func TestPermanentFailure(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	out := e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindPermanent, 550, "5.1.1", "no such user")}}, nil)
	if out[0].State != StateFailed {
		t.Fatalf("%+v", out)
	}
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.ErrorKind != "permanent" || rec.Attempts != 1 || p.SMTPCode != 550 ||
		p.EnhancedCode != "5.1.1" || p.Stage != transport.StageData || !strings.Contains(p.Reason, "no such user") {
		t.Fatalf("%+v %+v %v", rec, p, err)
	}
	checkNDR(t, p.NDR, secretRcpt, "5.1.1")
	if e.place(id) != failedDir {
		t.Fatal("not in failed/")
	}
	if _, err := os.Stat(e.s.path(outboxDir, id, ".lock")); !os.IsNotExist(err) {
		t.Fatalf("outbox lock of a failed message left: %v", err)
	}
	// A failed message is not flushed again.
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	if out := e.flushWith(tr, nil); len(out) != 0 || tr.sends() != 0 {
		t.Fatalf("failed message flushed: %+v", out)
	}
}

func TestPartialThenRetry(t *testing.T) {
	e := newEnv(t)
	const other = "ok@example.net"
	id := e.enqueue(testPayload(secretRcpt, other))
	rej := transport.Rejection{Address: secretRcpt, SMTPCode: 550, EnhancedCode: "5.1.1", Message: "unknown user"}
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		func(env *transport.Envelope) (*transport.Result, error) {
			return &transport.Result{Accepted: []string{other}, Rejected: []transport.Rejection{rej}}, nil
		}, ok}}
	out := e.flushWith(tr, nil)
	if out[0].State != "partial" || out[0].Err != nil || len(out[0].Result.Rejected) != 1 {
		t.Fatalf("%+v", out)
	}
	if !strings.Contains(e.sentLog(), `"accepted":1,"rejected":1`) {
		t.Fatalf("sent.log %q", e.sentLog())
	}
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateFailed || len(p.To) != 1 || p.To[0] != secretRcpt || len(p.Rejected) != 1 {
		t.Fatalf("%+v %+v %v", rec, p, err)
	}
	checkNDR(t, p.NDR, secretRcpt, "5.1.1")
	if err := e.s.Retry(id); err != nil {
		t.Fatal(err)
	}
	rec, err = e.s.Get(id)
	if err != nil || rec.State != StateQueued || rec.Attempts != 0 || rec.ErrorKind != "" || !rec.NextAttempt.Equal(e.clock.now()) {
		t.Fatalf("after retry %+v %v", rec, err)
	}
	if err := e.s.Retry(id); !mapi.IsCode(err, mapi.InvalidParameter) {
		t.Fatalf("retry of a queued message: %v", err)
	}
	out = e.flushWith(tr, func(o *FlushOptions) { o.Due = true })
	if out[0].State != "sent" || len(tr.sent) != 2 || len(tr.sent[1].To) != 1 || tr.sent[1].To[0] != secretRcpt {
		t.Fatalf("%+v, second envelope %+v", out, tr.sent[1])
	}
	if e.place(id) != "" {
		t.Fatal("not removed")
	}
}

func TestFailuresWithoutRetry(t *testing.T) {
	tests := []struct {
		name     string
		kind     transport.Kind
		resolver error
		want     string
		exit     int
	}{
		{"auth", transport.KindAuth, nil, "auth", 0},
		{"tls", transport.KindTLS, nil, "tls", 0},
		{"config", transport.KindConfig, nil, "config", 0},
		{"unconfigured", 0, mapi.Errorf(mapi.Unconfigured, "transport not configured"), "config", 78},
		{"logon", 0, mapi.Errorf(mapi.LogonFailed, "wrong credentials"), "auth", 77},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			a, b := e.enqueue(testPayload()), e.enqueue(testPayload())
			tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
				fails(tt.kind, 535, "5.7.8", "refused")}}
			calls := 0
			out := e.flushWith(tr, func(o *FlushOptions) {
				o.Resolve = func(*Record) (transport.Transport, error) {
					calls++
					if tt.resolver != nil {
						return nil, tt.resolver
					}
					return tr, nil
				}
			})
			if calls != 1 || len(out) != 2 {
				t.Fatalf("resolver calls %d, outcomes %+v", calls, out)
			}
			if tt.resolver == nil && tr.closed != 1 {
				t.Fatalf("transport closed %d times", tr.closed)
			}
			for _, id := range []string{a, b} {
				rec, p, err := e.s.Load(id, e.keys)
				if err != nil || rec.State != StateFailed || rec.ErrorKind != tt.want || p.Reason == "" || len(p.NDR) != 0 {
					t.Fatalf("%+v reason %q ndr %d: %v", rec, p.Reason, len(p.NDR), err)
				}
			}
			if tt.exit != 0 && mapi.AsError(out[0].Err).ExitStatus() != tt.exit {
				t.Fatalf("err %v", out[0].Err)
			}
		})
	}
}

func TestFlushWithoutSealer(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	before, _ := os.ReadFile(e.s.path(outboxDir, id, ".age"))
	noSeal := func(o *FlushOptions) { o.Seal = nil }
	e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindTemporary, 451, "", "later"), fails(transport.KindPermanent, 550, "", "no")}}, noSeal)
	if after, _ := os.ReadFile(e.s.path(outboxDir, id, ".age")); !bytes.Equal(before, after) {
		t.Fatal("payload changed without a sealer")
	}
	e.clock.add(time.Hour)
	e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindPermanent, 550, "", "no")}}, noSeal)
	rec, p, err := e.s.Load(id, e.keys)
	if err != nil || rec.State != StateFailed || rec.Attempts != 2 || p.Reason != "" || len(p.To) != 1 {
		t.Fatalf("%+v %+v %v", rec, p, err)
	}
	if after, _ := os.ReadFile(e.s.path(failedDir, id, ".age")); !bytes.Equal(before, after) {
		t.Fatal("moved payload changed without a sealer")
	}
}

// A bare local recipient (cron's "root") that the server refuses gets its
// report, and the outcome says one was stored; a recipient the report
// cannot name leaves none, Report unset, and one warning that names the
// message once (the Warn callback's id), not twice.
func TestPartialReportLocalPart(t *testing.T) {
	for _, tc := range []struct {
		rcpt   string
		report bool
	}{{"root", true}, {"ro ot", false}} {
		e := newEnv(t)
		const other = "ok@example.net"
		id := e.enqueue(testPayload(tc.rcpt, other))
		tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
			func(env *transport.Envelope) (*transport.Result, error) {
				return &transport.Result{Accepted: []string{other},
					Rejected: []transport.Rejection{{Address: tc.rcpt, SMTPCode: 553, EnhancedCode: "5.1.3", Message: "bad syntax"}}}, nil
			}}}
		out := e.flushWith(tr, nil)
		if len(out) != 1 || out[0].State != "partial" || out[0].Report != tc.report {
			t.Fatalf("%q: %+v", tc.rcpt, out)
		}
		_, p, err := e.s.Load(id, e.keys)
		if err != nil {
			t.Fatal(err)
		}
		if tc.report {
			checkNDR(t, p.NDR, tc.rcpt, "5.1.3")
			if len(e.warns) != 0 {
				t.Errorf("%q: warnings %q", tc.rcpt, e.warns)
			}
			continue
		}
		if p.NDR != nil || len(e.warns) != 1 || strings.Count(e.warns[0], id) != 1 ||
			!strings.Contains(e.warns[0], "cannot build the non-delivery report: invalid address") {
			t.Errorf("%q: report %d bytes, warnings %q", tc.rcpt, len(p.NDR), e.warns)
		}
	}
}
