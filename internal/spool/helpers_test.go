package spool

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// ageKeys is a real age X25519 key pair used as Sealer and Opener.
type ageKeys struct {
	id  *age.X25519Identity
	rcp *age.X25519Recipient
}

func newKeys(t testing.TB) *ageKeys {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return &ageKeys{id: id, rcp: id.Recipient()}
}

func (k *ageKeys) Seal(plain []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, k.rcp)
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

func (k *ageKeys) Open(ct []byte) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(ct), k.id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, mapi.Errorf(mapi.NoAccess, "no identity opens the message")
		}
		return nil, err
	}
	return io.ReadAll(r)
}

// clock is a settable Spool.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     *testing.T
	s     *Spool
	keys  *ageKeys
	clock *clock
	warns []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, s: s, keys: newKeys(t), clock: &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}}
	s.Now = e.clock.now
	s.Warn = func(id string, err error) { e.warns = append(e.warns, id+": "+err.Error()) }
	return e
}

const (
	secretRcpt    = "dana.secret@example.org"
	secretSubject = "Quarterly numbers nobody may read"
)

func testPayload(to ...string) *Payload {
	if len(to) == 0 {
		to = []string{secretRcpt}
	}
	msg := "From: Sender <sender@example.com>\r\nTo: " + strings.Join(to, ", ") +
		"\r\nSubject: " + secretSubject + "\r\nMessage-ID: <abc@example.com>\r\n\r\nhello\r\n"
	return &Payload{From: "sender@example.com", To: to, Message: []byte(msg)}
}

func (e *env) enqueue(p *Payload) string {
	e.t.Helper()
	e.clock.add(time.Millisecond) // IDs, and so flush order, follow creation
	id, err := e.s.Enqueue(e.keys, "work", "sec-1", "", p)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// fakeTransport replays scripted results, one per Send (the last repeats).
type fakeTransport struct {
	mu     sync.Mutex
	script []func(env *transport.Envelope) (*transport.Result, error)
	sent   []*transport.Envelope
	closed int
}

func (f *fakeTransport) Send(_ context.Context, env *transport.Envelope, _ []byte) (*transport.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, env)
	step := f.script[min(len(f.sent), len(f.script))-1]
	return step(env)
}

func (f *fakeTransport) Close() error { f.mu.Lock(); f.closed++; f.mu.Unlock(); return nil }

func (f *fakeTransport) sends() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

func ok(env *transport.Envelope) (*transport.Result, error) {
	return &transport.Result{Accepted: env.To}, nil
}

func fails(kind transport.Kind, code int, enh, msg string) func(*transport.Envelope) (*transport.Result, error) {
	return func(*transport.Envelope) (*transport.Result, error) {
		return nil, &transport.Error{Kind: kind, Stage: transport.StageData, SMTPCode: code, EnhancedCode: enh, Message: msg}
	}
}

func (e *env) flushWith(tr transport.Transport, mod func(*FlushOptions)) []Outcome {
	e.t.Helper()
	o := FlushOptions{Open: e.keys, Seal: e.keys, Resolve: func(*Record) (transport.Transport, error) { return tr, nil }}
	if mod != nil {
		mod(&o)
	}
	out, err := e.s.Flush(context.Background(), o)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// files returns the names of every file under the spool (relative), but
// the spool key, which stays once made (TestKeyFile checks it).
func (e *env) files() []string {
	e.t.Helper()
	var out []string
	filepath.WalkDir(e.s.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			r, _ := filepath.Rel(e.s.Dir, p)
			if r != keyFile {
				out = append(out, r)
			}
		}
		return nil
	})
	return out
}

// place returns "outbox", "failed" or "" for a message with a complete pair,
// failing the test if it has complete pairs in both or stray files.
func (e *env) place(id string) string {
	e.t.Helper()
	f, err := e.s.stat(id)
	if err != nil {
		e.t.Fatal(err)
	}
	if f.oa != f.oj || f.fa != f.fj {
		e.t.Fatalf("message %s has a partial pair: %+v (files %v)", id, f, e.files())
	}
	switch {
	case f.oa && f.fa:
		e.t.Fatalf("message %s is in outbox and failed", id)
	case f.oa:
		return outboxDir
	case f.fa:
		return failedDir
	}
	return ""
}

func (e *env) sentLog() string {
	b, err := os.ReadFile(filepath.Join(e.s.Dir, sentLog))
	if err != nil && !os.IsNotExist(err) {
		e.t.Fatal(err)
	}
	return string(b)
}

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(r) }

// allIDs returns the IDs with any file in outbox/ or failed/, sorted.
func (s *Spool) allIDs() ([]string, error) {
	ix, err := s.scan()
	if err != nil {
		return nil, err
	}
	return ix.ids, nil
}
