package spool

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

func maildir(t *testing.T) (transport.Transport, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mail")
	tr, err := transport.New(transport.Config{Kind: "maildir", MaildirPath: dir, Hostname: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return tr, dir
}

func TestEnqueueFlushDelivers(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	if !mapi.ValidID(id) {
		t.Fatalf("bad id %q", id)
	}
	rec, err := e.s.Get(id)
	if err != nil || rec.State != StateQueued || rec.Profile != "work" || rec.SectionUID != "sec-1" {
		t.Fatalf("Get = %+v, %v", rec, err)
	}
	_, p, err := e.s.Load(id, e.keys)
	if err != nil || p.To[0] != secretRcpt || p.Record.ID != id {
		t.Fatalf("Load = %+v, %v", p, err)
	}
	// Modes, and no plaintext anywhere.
	for _, d := range []string{"", outboxDir, failedDir} {
		fi, err := os.Stat(filepath.Join(e.s.Dir, d))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("dir %q mode %v, %v", d, fi.Mode(), err)
		}
	}
	for _, f := range e.files() {
		fi, _ := os.Stat(filepath.Join(e.s.Dir, f))
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f, fi.Mode())
		}
	}
	tr, mail := maildir(t)
	out := e.flushWith(tr, nil)
	if len(out) != 1 || out[0].State != "sent" || out[0].Err != nil || out[0].ID != id {
		t.Fatalf("outcomes %+v", out)
	}
	if e.place(id) != "" {
		t.Fatalf("still in %s", e.place(id))
	}
	if _, err := e.s.Get(id); !mapi.IsCode(err, mapi.NotFound) {
		t.Fatalf("Get after send: %v", err)
	}
	var line sentLine
	if err := json.Unmarshal([]byte(strings.TrimSpace(e.sentLog())), &line); err != nil ||
		line.ID != id || line.Accepted != 1 || line.Rejected != 0 || line.SectionUID != "sec-1" {
		t.Fatalf("sent.log %q: %v", e.sentLog(), err)
	}
	got, _ := filepath.Glob(filepath.Join(mail, "new", "*"))
	if len(got) != 1 {
		t.Fatalf("maildir has %d messages", len(got))
	}
	if b, _ := os.ReadFile(got[0]); !bytes.Contains(b, []byte(secretSubject)) {
		t.Fatal("delivered message lacks its subject")
	}
	if l, err := e.s.List(); err != nil || len(l) != 0 {
		t.Fatalf("List = %v, %v", l, err)
	}
}

// TestNoPlaintext greps every spool file, in every state, for the address
// and the subject.
func TestNoPlaintext(t *testing.T) {
	e := newEnv(t)
	a := e.enqueue(testPayload())
	b := e.enqueue(testPayload(secretRcpt, "other@example.net"))
	c := e.enqueue(testPayload())
	e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindTemporary, 451, "4.3.0", "try later "+secretRcpt),
		func(env *transport.Envelope) (*transport.Result, error) {
			return &transport.Result{Accepted: env.To[1:], Rejected: []transport.Rejection{{Address: secretRcpt, SMTPCode: 550, Message: "no " + secretRcpt}}}, nil
		},
		fails(transport.KindPermanent, 550, "5.1.1", "unknown "+secretRcpt),
	}}, nil)
	if e.place(a) != outboxDir || e.place(b) != failedDir || e.place(c) != failedDir {
		t.Fatalf("places %s %s %s", e.place(a), e.place(b), e.place(c))
	}
	for _, f := range e.files() {
		data, err := os.ReadFile(filepath.Join(e.s.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{secretRcpt, "other@example.net", secretSubject, "Quarterly"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s contains %q", f, secret)
			}
		}
	}
}

func TestTemporaryBackoffAndDue(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	created := e.clock.now()
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindTemporary, 451, "4.3.0", "try later")}}
	due := func(o *FlushOptions) { o.Due = true }
	waits := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 2 * time.Hour}
	for i, w := range waits {
		out := e.flushWith(tr, due)
		if len(out) != 1 || out[0].State != StateQueued || out[0].Skipped {
			t.Fatalf("attempt %d: %+v", i+1, out)
		}
		var te *transport.Error
		if !errorsAs(out[0].Err, &te) || te.Kind != transport.KindTemporary {
			t.Fatalf("attempt %d: err %v", i+1, out[0].Err)
		}
		rec, err := e.s.Get(id)
		if err != nil || rec.Attempts != i+1 || !rec.NextAttempt.Equal(e.clock.now().Add(w)) ||
			rec.ErrorKind != "temporary" || !rec.Created.Equal(created) {
			t.Fatalf("attempt %d: %+v %v", i+1, rec, err)
		}
		// Not due yet: skipped, not sent.
		e.clock.add(w - time.Second)
		n := tr.sends()
		if out := e.flushWith(tr, due); len(out) != 1 || !out[0].Skipped || tr.sends() != n {
			t.Fatalf("attempt %d: not skipped before due: %+v", i+1, out)
		}
		e.clock.add(time.Second)
	}
	_, p, err := e.s.Load(id, e.keys)
	if err != nil || !strings.Contains(p.Reason, "try later") || p.SMTPCode != 451 {
		t.Fatalf("payload reason %q code %d: %v", p.Reason, p.SMTPCode, err)
	}
}

func errorsAs(err error, te **transport.Error) bool {
	for err != nil {
		if x, ok := err.(*transport.Error); ok {
			*te = x
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// checkNDR parses ndr as a multipart/report and looks for the recipient and
// status in its delivery-status part.
func TestDropAndMalformedIDs(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	failed := e.enqueue(testPayload())
	e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindTemporary, 451, "", "later"), fails(transport.KindPermanent, 550, "", "no")}}, nil)
	for _, x := range []string{id, failed} {
		if err := e.s.Drop(x); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Drop(x); !mapi.IsCode(err, mapi.NotFound) {
			t.Fatalf("second drop: %v", err)
		}
	}
	if f := e.files(); len(f) != 0 {
		t.Fatalf("left %v", f)
	}
	for _, bad := range []string{"../x", "ABC", "", "../../outbox/" + id, strings.ToUpper(id), id + "0"} {
		checks := map[string]error{"drop": e.s.Drop(bad), "retry": e.s.Retry(bad)}
		_, checks["get"] = e.s.Get(bad)
		_, _, checks["load"] = e.s.Load(bad, e.keys)
		_, checks["flush"] = e.s.Flush(t.Context(), FlushOptions{IDs: []string{bad}, Open: e.keys, Resolve: func(*Record) (transport.Transport, error) { return nil, nil }})
		for op, err := range checks {
			if !mapi.IsCode(err, mapi.InvalidParameter) {
				t.Errorf("%s(%q) = %v", op, bad, err)
			}
		}
	}
	if f := e.files(); len(f) != 0 {
		t.Fatalf("malformed IDs touched files: %v", f)
	}
	if _, err := e.s.Get(strings.Repeat("a", 26)); !mapi.IsCode(err, mapi.NotFound) {
		t.Fatalf("absent: %v", err)
	}
}

func TestNoAccess(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	stranger := newKeys(t)
	if _, _, err := e.s.Load(id, stranger); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("Load with a stranger's key: %v", err)
	}
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	out := e.flushWith(tr, func(o *FlushOptions) { o.Open = stranger })
	if len(out) != 1 || !mapi.IsCode(out[0].Err, mapi.NoAccess) || tr.sends() != 0 || e.place(id) != outboxDir {
		t.Fatalf("%+v", out)
	}
}

// TestEnqueueRefuses: no recipient, no sealer, a bad session ID.
func TestEnqueueRefuses(t *testing.T) {
	e := newEnv(t)
	for name, f := range map[string]func() error{
		"no rcpt":     func() error { _, err := e.s.Enqueue(e.keys, "p", "s", "", &Payload{From: "a@b"}); return err },
		"nil payload": func() error { _, err := e.s.Enqueue(e.keys, "p", "s", "", nil); return err },
		"no sealer":   func() error { _, err := e.s.Enqueue(nil, "p", "s", "", testPayload()); return err },
		"bad session": func() error { _, err := e.s.Enqueue(e.keys, "p", "s", "../x", testPayload()); return err },
	} {
		if err := f(); !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if f := e.files(); len(f) != 0 {
		t.Fatalf("files written: %v", f)
	}
}

// TestFlushWithoutSealer keeps the sealed bytes as they were and changes
// only the record.
