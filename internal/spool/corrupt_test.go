package spool

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// TestCorruptFiles truncates or garbles a record or a payload: every
// reader reports CorruptData (65), nothing panics, the file is left as it
// was, and other messages are still delivered.
func TestCorruptFiles(t *testing.T) {
	tests := []struct {
		name   string
		ext    string
		mangle func([]byte) []byte
	}{
		{"truncated json", ".json", func(b []byte) []byte { return b[:len(b)/2] }},
		{"empty json", ".json", func([]byte) []byte { return nil }},
		{"json of another id", ".json", func(b []byte) []byte { return bytes.Replace(b, b[7:12], []byte("zzzzz"), 1) }},
		{"json with bad state", ".json", func(b []byte) []byte { return bytes.Replace(b, []byte(`"queued"`), []byte(`"lost"`), 1) }},
		{"json trailing data", ".json", func(b []byte) []byte { return append(b, "{}"...) }},
		{"truncated age", ".age", func(b []byte) []byte { return b[:len(b)/2] }},
		{"garbage age", ".age", func([]byte) []byte { return []byte("not age at all") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			bad := e.enqueue(testPayload())
			good := e.enqueue(testPayload())
			path := e.s.path(outboxDir, bad, tt.ext)
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			mangled := tt.mangle(append([]byte(nil), orig...))
			if err := os.WriteFile(path, mangled, 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err = e.s.Load(bad, e.keys)
			if !mapi.IsCode(err, mapi.CorruptData) || mapi.AsError(err).ExitStatus() != 65 {
				t.Fatalf("Load: %v", err)
			}
			if tt.ext == ".json" {
				if _, err := e.s.Get(bad); !mapi.IsCode(err, mapi.CorruptData) {
					t.Fatalf("Get: %v", err)
				}
				l, err := e.s.List()
				if err != nil || len(l) != 1 || l[0].ID != good || len(e.warns) == 0 {
					t.Fatalf("List = %+v, %v, warns %v", l, err, e.warns)
				}
			}
			tr := &fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){ok}}
			out := e.flushWith(tr, nil)
			var sawBad bool
			for _, oc := range out {
				switch oc.ID {
				case bad:
					sawBad = true
					if !mapi.IsCode(oc.Err, mapi.CorruptData) {
						t.Errorf("bad outcome %+v", oc)
					}
				case good:
					if oc.State != "sent" {
						t.Errorf("good outcome %+v", oc)
					}
				}
			}
			if !sawBad || tr.sends() != 1 {
				t.Fatalf("outcomes %+v, sends %d", out, tr.sends())
			}
			e.s.Recover(e.keys) // must not rewrite or remove the corrupt file
			now, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(now, mangled) {
				t.Fatalf("corrupt file changed or removed: %v", err)
			}
			// Drop still clears it.
			if err := e.s.Drop(bad); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestCorruptDuplicate: with pairs in both directories and one record
// corrupt, Recover leaves both (and says so) rather than guessing.
func TestCorruptDuplicate(t *testing.T) {
	e := newEnv(t)
	id := e.enqueue(testPayload())
	crashAt("after-move-json", func() {
		e.flushWith(&fakeTransport{script: []func(*transport.Envelope) (*transport.Result, error){
			fails(transport.KindPermanent, 550, "", "no")}}, nil)
	})
	if err := os.WriteFile(e.s.path(failedDir, id, ".json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := e.s.Recover(e.keys)
	if !mapi.IsCode(err, mapi.CorruptData) {
		t.Fatalf("Recover: %v", err)
	}
	f, _ := e.s.stat(id)
	if f != (files{true, true, true, true}) {
		t.Fatalf("files %+v", f)
	}
}

func TestBackoffTable(t *testing.T) {
	for n, want := range map[int]time.Duration{0: time.Minute, 1: time.Minute, 2: 5 * time.Minute,
		3: 30 * time.Minute, 4: 2 * time.Hour, 9: 2 * time.Hour} {
		if got := backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}
