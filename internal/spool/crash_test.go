package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mapictl/mapictl/internal/transport"
)

// crashAt runs op with testOnlyCrashAt panicking at point, and reports
// whether the crash happened.
func crashAt(point string, op func()) (crashed bool) {
	testOnlyCrashAt = func(p string) {
		if p == point {
			panic("crash at " + p)
		}
	}
	defer func() {
		testOnlyCrashAt = nil
		if r := recover(); r != nil {
			if r != "crash at "+point {
				panic(r)
			}
			crashed = true
		}
	}()
	op()
	return false
}

// TestCrashPoints crashes every multi-step change at each named point, runs
// Recover and checks that each message is in exactly one place, and that a
// message is never lost: it is delivered, or still spooled.
func TestCrashPoints(t *testing.T) {
	type scenario struct {
		name   string
		setup  func(e *env) string // returns the message ID ("" = made by op)
		op     func(e *env, id string, tr *fakeTransport)
		script func(*transport.Envelope) (*transport.Result, error)
		// want maps each crash point to where the message is after Recover
		// ("" = delivered and removed).
		want map[string]string
	}
	enq := func(e *env) string { return e.enqueue(testPayload()) }
	flush := func(e *env, _ string, tr *fakeTransport) { e.flushWith(tr, nil) }
	toFailed := func(e *env) string {
		id := e.enqueue(testPayload())
		e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
			fails(transport.KindPermanent, 550, "", "no")}}, nil)
		return id
	}
	partial := func(env *transport.Envelope) (*transport.Result, error) {
		return &transport.Result{Accepted: env.To[1:], Rejected: []transport.Rejection{{Address: env.To[0], SMTPCode: 550}}}, nil
	}
	scenarios := []scenario{
		{"enqueue", func(*env) string { return "" }, func(e *env, _ string, _ *fakeTransport) { e.enqueue(testPayload()) }, ok,
			map[string]string{"after-payload": outboxDir, "after-record": outboxDir}},
		{"sent", enq, flush, ok,
			map[string]string{"after-send": outboxDir, "after-sentlog": outboxDir, "after-remove-age": ""}},
		{"permanent", enq, flush, fails(transport.KindPermanent, 550, "5.1.1", "no"),
			moved(outboxDir, failedDir, "after-send")},
		{"temporary", enq, flush, fails(transport.KindTemporary, 451, "", "later"),
			map[string]string{"after-send": outboxDir, "after-update-age": outboxDir}},
		{"partial", func(e *env) string { return e.enqueue(testPayload(secretRcpt, "b@example.net")) }, flush, partial,
			moved(outboxDir, failedDir, "after-sentlog")},
		{"retry", toFailed, func(e *env, id string, _ *fakeTransport) { e.s.Retry(id) }, ok,
			moved(failedDir, outboxDir)},
	}
	for _, sc := range scenarios {
		for point, want := range sc.want {
			t.Run(sc.name+"/"+point, func(t *testing.T) {
				e := newEnv(t)
				id := sc.setup(e)
				tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){sc.script}}
				if !crashAt(point, func() { sc.op(e, id, tr) }) {
					t.Fatalf("no crash at %s", point)
				}
				if id == "" {
					ids, _ := e.s.allIDs()
					if len(ids) != 1 {
						t.Fatalf("ids %v", ids)
					}
					id = ids[0]
				}
				if err := e.s.Recover(e.keys); err != nil {
					t.Fatal(err)
				}
				where := e.place(id)
				if where != want {
					t.Fatalf("after recover: in %q; files %v", where, e.files())
				}
				if where == "" && tr.sends() == 0 {
					t.Fatal("message lost: removed but never sent")
				}
				if where != "" {
					if _, _, err := e.s.Load(id, e.keys); err != nil {
						t.Fatalf("load after recover: %v", err)
					}
					if l, _ := e.s.List(); len(l) != 1 || l[0].ID != id {
						t.Fatalf("List = %+v", l)
					}
				}
				// No temp files or stale locks survive.
				for _, f := range e.files() {
					if filepath.Ext(f) == ".tmp" {
						t.Errorf("temp file left: %s", f)
					}
				}
				// Finish the job: a queued message gets delivered.
				if where == outboxDir {
					tr2 := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
					e.flushWith(tr2, nil)
					if tr2.sends() != 1 || e.place(id) != "" {
						t.Fatalf("redelivery: sends %d, place %q", tr2.sends(), e.place(id))
					}
				}
				if len(e.warns) != 0 {
					t.Fatalf("warnings: %v", e.warns)
				}
			})
		}
	}
}

// moved returns the expected places for a move from src to dst: before
// the destination record exists the message is still in src, after it in
// dst. extra points come before the move.
func moved(src, dst string, extra ...string) map[string]string {
	m := map[string]string{"after-move-age": src, "after-move-json": dst, "after-remove-age": dst}
	for _, p := range extra {
		m[p] = src
	}
	return m
}

// TestRecoverWithoutOpener leaves an orphan payload for a later pass, and
// removes stray temp files.
func TestRecoverWithoutOpener(t *testing.T) {
	e := newEnv(t)
	crashAt("after-payload", func() { e.enqueue(testPayload()) })
	ids, _ := e.s.allIDs()
	id := ids[0]
	tmp := filepath.Join(e.s.Dir, outboxDir, fmt.Sprintf(".%s.abcdef%s", id, tmpSuffix))
	if err := os.WriteFile(tmp, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Recover(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatal("temp file not removed")
	}
	if l, err := e.s.List(); err != nil || len(l) != 0 || len(e.warns) == 0 {
		t.Fatalf("List = %v, %v; warns %v", l, err, e.warns)
	}
	if err := e.s.Recover(e.keys); err != nil {
		t.Fatal(err)
	}
	if rec, err := e.s.Get(id); err != nil || rec.State != StateQueued {
		t.Fatalf("rebuilt %+v, %v", rec, err)
	}
}
