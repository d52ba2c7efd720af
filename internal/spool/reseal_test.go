package spool

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// bothKeys seals to the store's key and a session's key, as a message
// queued under a session is.
type bothKeys struct{ store, sess *ageKeys }

func (b bothKeys) Seal(plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, b.store.rcp, b.sess.rcp)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const sessID = "0000000000sessionabcdefghi"

// TestResealAtLogoff (issue 24, point 9): the messages queued under a
// session, in the outbox and in failed/, are re-sealed without the session
// key, opened with the session key alone (logoff has no store identity):
// afterwards the session key opens none of them, the store key opens them
// all and flush delivers the queued one. Other messages are not touched;
// one that does not verify is left as it was and reported.
func TestResealAtLogoff(t *testing.T) {
	e := newEnv(t)
	sess := newKeys(t)
	both := bothKeys{e.keys, sess}
	enq := func(to string) string {
		id, err := e.s.Enqueue(both, "work", "sec-1", sessID, testPayload(to))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	failed := enq("failed@example.net")
	e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindPermanent, 550, "", "no")}}, func(o *FlushOptions) { o.Seal = both })
	queued := enq(secretRcpt)
	other := e.enqueue(testPayload())
	otherBytes, _ := os.ReadFile(e.s.path(outboxDir, other, ".age"))
	injected := e.inject(both, testPayload("x@example.net"), nil)
	e.editRecord(injected, func(r *Record) { r.Session = sessID })
	if e.place(failed) != failedDir {
		t.Fatalf("setup: %v", e.files())
	}
	for _, id := range []string{failed, queued} {
		if _, _, err := e.s.Load(id, sess); err != nil {
			t.Fatalf("before: the session key should open %s: %v", id, err)
		}
	}

	done, err := e.s.Reseal(func(r *Record) bool { return r.Session == sessID }, sess, e.keys)
	if len(done) != 2 || !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), injected) {
		t.Fatalf("Reseal = %v, %v", done, err)
	}
	for _, id := range []string{failed, queued} {
		if _, _, err := e.s.Load(id, sess); !mapi.IsCode(err, mapi.NoAccess) {
			t.Errorf("after: the session key still opens %s: %v", id, err)
		}
		rec, p, err := e.s.Load(id, e.keys)
		if err != nil || rec.Session != "" || p.Record.Session != "" {
			t.Errorf("after: store key on %s: %+v %v", id, rec, err)
		}
	}
	if rec, _ := e.s.Get(failed); rec.State != StateFailed {
		t.Errorf("failed message moved: %+v", rec)
	}
	if b, _ := os.ReadFile(e.s.path(outboxDir, other, ".age")); !bytes.Equal(b, otherBytes) {
		t.Error("a message of no session was re-sealed")
	}
	if _, _, err := e.s.Load(injected, sess); err != nil {
		t.Errorf("the injected message was changed: %v", err)
	}
	if done, err := e.s.Reseal(func(r *Record) bool { return r.Session == sessID }, sess, e.keys); len(done) != 0 || err == nil {
		t.Errorf("second Reseal = %v, %v", done, err)
	}
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	out := e.flushWith(tr, nil)
	sent := map[string]string{}
	for _, oc := range out {
		sent[oc.ID] = oc.State
	}
	if sent[queued] != "sent" || sent[other] != "sent" || sent[injected] != StateRejected || tr.sends() != 2 {
		t.Fatalf("flush after reseal: %+v", out)
	}
	if _, err := e.s.Reseal(nil, sess, e.keys); !mapi.IsCode(err, mapi.InvalidParameter) {
		t.Fatalf("nil match: %v", err)
	}
}
