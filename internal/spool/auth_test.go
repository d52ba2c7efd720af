package spool

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// inject writes a message into the outbox as someone who can write there
// and knows the spool's recipient (identity.pub), but not the spool key,
// could: a payload sealed with keys, mac as given, and a plausible record.
func (e *env) inject(keys Sealer, p *Payload, mac []byte) string {
	e.t.Helper()
	e.clock.add(time.Millisecond)
	now := e.clock.now()
	id := mapi.NewID(now)
	rec := Record{ID: id, Profile: "work", SectionUID: "sec-1", State: StateQueued, Created: now, NextAttempt: now}
	p.Record, p.MAC = rec, mac
	plain, err := json.Marshal(p)
	if err != nil {
		e.t.Fatal(err)
	}
	ct, err := keys.Seal(plain)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := encodeRecord(&rec)
	for ext, data := range map[string][]byte{".age": ct, ".json": b} {
		if err := os.WriteFile(e.s.path(outboxDir, id, ext), data, 0o600); err != nil {
			e.t.Fatal(err)
		}
	}
	return id
}

// TestInjectedNotSent: a message sealed to the spool's recipient by someone
// who cannot read the spool key — with no code, with a guessed one, or with
// a code made under another key — is not delivered: it is moved to
// rejected/ and reported, while a genuine one still goes.
func TestInjectedNotSent(t *testing.T) {
	for name, mac := range map[string]func(p *Payload) []byte{
		"no code":     func(*Payload) []byte { return nil },
		"random code": func(*Payload) []byte { return bytes.Repeat([]byte{7}, 32) },
		"other key":   func(p *Payload) []byte { return payloadMAC(bytes.Repeat([]byte{1}, keySize), p) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			good := e.enqueue(testPayload())
			p := testPayload("victim@example.net")
			bad := e.inject(e.keys, p, nil)
			if mac(p) != nil { // a code over the record as written, not under the spool key
				e.rewritePayload(bad, func(q *Payload) { q.MAC = mac(q) })
			}
			tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
			out := e.flushWith(tr, nil)
			if tr.sends() != 1 || tr.sent[0].To[0] != secretRcpt {
				t.Fatalf("sent %d messages: %+v", tr.sends(), tr.sent)
			}
			states := map[string]Outcome{}
			for _, oc := range out {
				states[oc.ID] = oc
			}
			if states[good].State != "sent" {
				t.Fatalf("genuine message: %+v", states[good])
			}
			oc := states[bad]
			if oc.State != StateRejected || !mapi.IsCode(oc.Err, mapi.NoAccess) ||
				!strings.Contains(oc.Err.Error(), "not queued by this store") {
				t.Fatalf("injected message: %+v", oc)
			}
			if strings.Contains(oc.Err.Error(), "victim") {
				t.Fatal("error names an address")
			}
			if e.place(bad) != "" {
				t.Fatalf("injected message still in %s", e.place(bad))
			}
			for _, ext := range []string{".age", ".json"} {
				if _, err := os.Stat(e.s.path(rejectedDir, bad, ext)); err != nil {
					t.Fatalf("not set aside: %v", err)
				}
			}
			if _, err := os.Stat(e.s.path(outboxDir, bad, ".lock")); !os.IsNotExist(err) {
				t.Errorf("lock left behind: %v", err)
			}
			// It stays out: a second flush sends nothing, list reports it,
			// retry refuses it, drop removes it.
			if out := e.flushWith(tr, nil); len(out) != 0 || tr.sends() != 1 {
				t.Fatalf("second flush: %+v", out)
			}
			e.warns = nil
			if l, err := e.s.List(); err != nil || len(l) != 0 || len(e.warns) != 1 || !strings.Contains(e.warns[0], bad) {
				t.Fatalf("List = %v, %v, warns %v", l, err, e.warns)
			}
			if err := e.s.Retry(bad); !mapi.IsCode(err, mapi.InvalidParameter) || !strings.Contains(err.Error(), "does not apply") {
				t.Fatalf("Retry: %v", err)
			}
			if err := e.s.Drop(bad); err != nil {
				t.Fatal(err)
			}
			if rej, _ := e.s.Rejected(); len(rej) != 0 {
				t.Fatalf("after drop: %v", rej)
			}
		})
	}
}

// rewritePayload opens message id in the outbox, lets edit change it and
// seals it again, without touching the code unless edit does.
func (e *env) rewritePayload(id string, edit func(*Payload)) {
	e.t.Helper()
	path := e.s.path(outboxDir, id, ".age")
	ct, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	plain, err := e.keys.Open(ct)
	if err != nil {
		e.t.Fatal(err)
	}
	var p Payload
	if err := json.Unmarshal(plain, &p); err != nil {
		e.t.Fatal(err)
	}
	edit(&p)
	plain, _ = json.Marshal(&p)
	if ct, err = e.keys.Seal(plain); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, ct, 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// editRecord rewrites outbox/ID.json through edit.
func (e *env) editRecord(id string, edit func(*Record)) {
	e.t.Helper()
	rec, err := e.s.readRecord(outboxDir, id)
	if err != nil {
		e.t.Fatal(err)
	}
	edit(rec)
	b, _ := encodeRecord(rec)
	if err := os.WriteFile(e.s.path(outboxDir, id, ".json"), b, 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// TestTamperedNotSent: a genuine message whose record was edited to name
// another section or profile, whose payload was swapped with another
// message's, or whose sealed envelope was changed by someone holding the
// identity but not the spool key, is not delivered.
func TestTamperedNotSent(t *testing.T) {
	tests := map[string]func(e *env, id, other string){
		"section uid": func(e *env, id, _ string) { e.editRecord(id, func(r *Record) { r.SectionUID = "sec-2" }) },
		"no section":  func(e *env, id, _ string) { e.editRecord(id, func(r *Record) { r.SectionUID = "" }) },
		"profile":     func(e *env, id, _ string) { e.editRecord(id, func(r *Record) { r.Profile = "home" }) },
		"swapped payload": func(e *env, id, other string) {
			b, _ := os.ReadFile(e.s.path(outboxDir, other, ".age"))
			os.WriteFile(e.s.path(outboxDir, id, ".age"), b, 0o600)
		},
		"recipient added": func(e *env, id, _ string) {
			e.rewritePayload(id, func(p *Payload) { p.To = append(p.To, "thief@example.net") })
		},
		"message changed": func(e *env, id, _ string) {
			e.rewritePayload(id, func(p *Payload) { p.Message = append(p.Message, "P.S. wire the money\r\n"...) })
		},
		"sender changed": func(e *env, id, _ string) {
			e.rewritePayload(id, func(p *Payload) { p.From = "ceo@example.com" })
		},
		"copy's section": func(e *env, id, _ string) {
			e.rewritePayload(id, func(p *Payload) { p.Record.SectionUID = "sec-2" })
			e.editRecord(id, func(r *Record) { r.SectionUID = "sec-2" })
		},
	}
	for name, tamper := range tests {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			id := e.enqueue(testPayload())
			other := e.enqueue(testPayload("other@example.net"))
			tamper(e, id, other)
			var resolved []string
			tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
			out := e.flushWith(tr, func(o *FlushOptions) {
				o.IDs = []string{id}
				o.Resolve = func(r *Record) (transport.Transport, error) {
					resolved = append(resolved, r.Profile+"/"+r.SectionUID)
					return tr, nil
				}
			})
			if len(out) != 1 || out[0].State != StateRejected || tr.sends() != 0 || len(resolved) != 0 {
				t.Fatalf("outcomes %+v, sends %d, resolved %v", out, tr.sends(), resolved)
			}
			if e.place(id) != "" || !e.s.isRejected(id) {
				t.Fatalf("not set aside: %v", e.files())
			}
		})
	}
}

// TestStateEditsStillVerify: what delivery updates (attempts, next try,
// error kind, Rev, the session) is outside the code: editing it, or a
// temporary failure that rewrites the record, needs no key and does not
// stop delivery; and the code survives a move to failed/ and a retry.
func TestStateEditsStillVerify(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload(secretRcpt, "b@example.net"))
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
		fails(transport.KindTemporary, 451, "", "later"),
		func(env *transport.Envelope) (*transport.Result, error) {
			return &transport.Result{Accepted: env.To[1:], Rejected: []transport.Rejection{{Address: env.To[0], SMTPCode: 550}}}, nil
		},
		ok,
	}}
	e.flushWith(tr, nil)
	e.editRecord(id, func(r *Record) {
		r.Attempts, r.NextAttempt, r.ErrorKind, r.Rev = 3, r.NextAttempt.Add(time.Hour), "config", 2
	})
	out := e.flushWith(tr, nil) // partial: re-sealed with a new code over the rejected recipient only
	if len(out) != 1 || out[0].State != "partial" || e.place(id) != failedDir {
		t.Fatalf("outcomes %+v", out)
	}
	if err := e.s.Retry(id); err != nil {
		t.Fatal(err)
	}
	out = e.flushWith(tr, nil)
	if len(out) != 1 || out[0].State != "sent" || tr.sends() != 3 || len(tr.sent[2].To) != 1 || tr.sent[2].To[0] != secretRcpt {
		t.Fatalf("outcomes %+v, last envelope %+v", out, tr.sent[len(tr.sent)-1])
	}
}

// TestRetryDoesNotLaunder: a message dropped into failed/ by hand moves back
// with retry (which opens nothing and keeps the sealed bytes), and the next
// flush sets it aside all the same.
func TestRetryDoesNotLaunder(t *testing.T) {
	e := newEnv(t)
	e.enqueue(testPayload()) // the spool has a key
	bad := e.inject(e.keys, testPayload(), nil)
	for _, ext := range []string{".age", ".json"} {
		if err := os.Rename(e.s.path(outboxDir, bad, ext), e.s.path(failedDir, bad, ext)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.s.Retry(bad); err != nil {
		t.Fatal(err)
	}
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	out := e.flushWith(tr, func(o *FlushOptions) { o.IDs = []string{bad} })
	if len(out) != 1 || out[0].State != StateRejected || tr.sends() != 0 {
		t.Fatalf("%+v", out)
	}
}

// TestLegacyWithoutKey: a spool with messages from before the key (no code,
// no spool/key) sets them aside rather than send them, and a new enqueue
// makes the key and is delivered.
func TestLegacyWithoutKey(t *testing.T) {
	e := newEnv(t)
	old := e.inject(e.keys, testPayload(), nil)
	if _, err := os.Stat(filepath.Join(e.s.Dir, keyFile)); !os.IsNotExist(err) {
		t.Fatal("key exists before any enqueue")
	}
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	out := e.flushWith(tr, nil)
	if len(out) != 1 || out[0].State != StateRejected || !strings.Contains(out[0].Err.Error(), "older mapictl") || tr.sends() != 0 {
		t.Fatalf("%+v", out)
	}
	if _, err := os.Stat(filepath.Join(e.s.Dir, keyFile)); !os.IsNotExist(err) {
		t.Fatal("flush made a key")
	}
	id := e.enqueue(testPayload())
	if out := e.flushWith(tr, nil); len(out) != 1 || out[0].ID != id || out[0].State != "sent" {
		t.Fatalf("%+v (rejected %s)", out, old)
	}
}

// TestKeyFile: the key is made once, 32 bytes, 0600, and two processes
// (here goroutines with their own Spool values) that make it at once agree;
// a key others may read, a short one or a symbolic link is refused.
func TestKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	k := newKeys(t)
	const n = 16
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &Spool{Dir: dir}
			ids[i], errs[i] = s.Enqueue(k, "p", "s", "", testPayload())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, keyFile)
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != keySize || !fi.Mode().IsRegular() {
		t.Fatalf("key file %v %v", fi, err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".key.*")); len(tmps) != 0 {
		t.Fatalf("temp files left: %v", tmps)
	}
	s := &Spool{Dir: dir}
	tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
	out, err := s.Flush(t.Context(), FlushOptions{Open: k, Seal: k, Resolve: func(*Record) (transport.Transport, error) { return tr, nil }})
	if err != nil || len(out) != n || tr.sends() != n {
		t.Fatalf("every message queued during the race verifies: %d sent of %d, %+v, %v", tr.sends(), n, out, err)
	}

	orig, _ := os.ReadFile(path)
	for name, mk := range map[string]func() error{
		"group readable": func() error { return os.Chmod(path, 0o640) },
		"short":          func() error { return os.WriteFile(path, orig[:16], 0o600) },
		"symlink": func() error {
			os.WriteFile(path+".real", orig, 0o600)
			os.Remove(path)
			return os.Symlink(path+".real", path)
		},
	} {
		t.Run(name, func(t *testing.T) {
			os.Remove(path)
			if err := os.WriteFile(path, orig, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := mk(); err != nil {
				t.Fatal(err)
			}
			_, err := s.Enqueue(k, "p", "s", "", testPayload())
			if err == nil || !(mapi.IsCode(err, mapi.NoAccess) || mapi.IsCode(err, mapi.CorruptData)) {
				t.Fatalf("Enqueue with a bad key: %v", err)
			}
		})
	}
}

// FuzzPayloadMAC: the code is a function of the covered fields only, and
// two payloads whose covered fields differ — however their bytes are split
// between fields and list items — never share one (length prefixes).
func FuzzPayloadMAC(f *testing.F) {
	f.Add("a@b", "ab", "", "id", "sec", []byte("msg"), "a@b", "a", "b", "id", "sec", []byte("msg"))
	f.Add("", "x", "y", "p", "q", []byte(""), "", "xy", "", "p", "q", []byte(""))
	f.Fuzz(func(t *testing.T, from1, toA1, toB1, id1, sec1 string, msg1 []byte, from2, toA2, toB2, id2, sec2 string, msg2 []byte) {
		key := bytes.Repeat([]byte{3}, keySize)
		mk := func(from, toA, toB, id, sec string, msg []byte) *Payload {
			to := []string{toA}
			if toB != "" {
				to = append(to, toB)
			}
			return &Payload{From: from, To: to, Message: msg, Record: Record{ID: id, SectionUID: sec}}
		}
		p1, p2 := mk(from1, toA1, toB1, id1, sec1, msg1), mk(from2, toA2, toB2, id2, sec2, msg2)
		same := p1.From == p2.From && slices.Equal(p1.To, p2.To) &&
			p1.Record.ID == p2.Record.ID && p1.Record.SectionUID == p2.Record.SectionUID && bytes.Equal(p1.Message, p2.Message)
		m1 := payloadMAC(key, p1)
		// Fields outside the code do not change it.
		p1.Reason, p1.Record.Attempts, p1.Record.Session, p1.NDR = "later", 4, "x", []byte("report")
		if !bytes.Equal(m1, payloadMAC(key, p1)) {
			t.Fatal("state fields changed the code")
		}
		if got := bytes.Equal(m1, payloadMAC(key, p2)); got != same {
			t.Fatalf("same fields %v, same code %v: %+v / %+v", same, got, p1, p2)
		}
	})
}
