package oauth

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// live are the recipients of a store whose sessions come and go.
type live struct {
	mu    sync.Mutex
	rs    []string
	calls chan struct{} // a value per Recipients call, if not full
}

func newLive(rs ...string) *live { return &live{rs: rs, calls: make(chan struct{}, 64)} }

func (l *live) set(rs ...string) { l.mu.Lock(); l.rs = rs; l.mu.Unlock() }

func (l *live) get() ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.calls <- struct{}{}:
	default:
	}
	return slices.Clone(l.rs), nil
}

// opens reports whether k opens the token file of s.
func opens(t *testing.T, s *Source, k key) bool {
	t.Helper()
	_, err := readFile(s.Path, []age.Identity{k.id})
	if err != nil && !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatal(err)
	}
	return err == nil
}

// A refresh waiting for the lock while a logoff re-seals the file seals
// its answer to who may read the file when it writes, not to who could
// when it started: Recipients is asked holding the lock.
func TestRecipientsAskedUnderTheLock(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	store, sess := newKey(t), newKey(t)
	s := source(t, f, store)
	l := newLive(store.pub, sess.pub)
	s.Recipients = l.get
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	for len(l.calls) > 0 {
		<-l.calls
	}

	fl, err := lock(context.Background(), s.Path, time.Second) // the logoff holds the lock
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Token(context.Background()); done <- err }()
	<-l.calls                          // Token opened the file (nothing to re-seal yet)...
	time.Sleep(100 * time.Millisecond) // ...and waits for the lock
	l.set(store.pub)                   // the session is gone
	r := stored(t, s)
	if err := writeFile(s.Path, r, []string{store.pub}); err != nil { // the logoff's re-seal
		t.Fatal(err)
	}
	unlock(fl)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := stored(t, s); r.AccessToken == at || !slices.Equal(r.Recipients, []string{store.pub}) {
		t.Errorf("after the refresh: %+v", r)
	}
	if opens(t, s, sess) {
		t.Error("the refresh sealed the file to the logged-off session's key")
	}
}

// A file that records a recipient no longer returned (a session logged off
// or expired) is re-sealed by the next process that opens it, even when
// its token needs no refresh. A file whose recipients are all still there
// is neither locked nor written.
func TestResealOnOpen(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	store, sess, other := newKey(t), newKey(t), newKey(t)
	s := source(t, f, store)
	l := newLive(store.pub, sess.pub)
	s.Recipients = l.get
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))

	// Nothing changed, or a recipient added: no lock, no write.
	fl, err := lock(context.Background(), s.Path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, s)
	s.Timeout = 200 * time.Millisecond
	for _, rs := range [][]string{{store.pub, sess.pub}, {sess.pub, store.pub, other.pub}} {
		l.set(rs...)
		if tok, err := s.Token(context.Background()); err != nil || tok != "AT-1" {
			t.Fatalf("recipients %v: Token = %q, %v (it must not wait for the lock)", rs, tok, err)
		}
	}
	unlock(fl)
	if !bytes.Equal(fileBytes(t, s), before) {
		t.Error("the file was written though no recipient was dropped")
	}

	// The session is gone: the next Token, under that very session's key,
	// re-seals the file without it.
	l.set(store.pub)
	underSession := *s
	underSession.Identities = []age.Identity{sess.id}
	if tok, err := underSession.Token(context.Background()); err != nil || tok != "AT-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if opens(t, s, sess) {
		t.Error("the file still opens with the dropped session's key")
	}
	if r := stored(t, s); !slices.Equal(r.Recipients, []string{store.pub}) || r.AccessToken != "AT-1" || r.RefreshToken != "RT-1" {
		t.Errorf("re-sealed file %+v", r)
	}
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests to the provider", n)
	}
}

// A file written before recipients were recorded is re-sealed once, to
// who may open it now (a key of an older mapictl's sealing dropped).
func TestResealLegacyFile(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	store, stray := newKey(t), newKey(t)
	s := source(t, f, store)
	old := &record{AccessToken: "AT-1", RefreshToken: "RT-1", Binding: s.Binding}
	old.setExpiry(time.Now().Add(time.Hour))
	writeLegacy(t, s.Path, old, store.pub, stray.pub)
	if tok, err := s.Token(context.Background()); err != nil || tok != "AT-1" {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if opens(t, s, stray) {
		t.Error("the legacy file still opens with a key Recipients does not return")
	}
	if r := stored(t, s); !slices.Equal(r.Recipients, []string{store.pub}) {
		t.Errorf("recipients %v", r.Recipients)
	}
	// Once recorded, opening it again writes nothing.
	before := fileBytes(t, s)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fileBytes(t, s), before) {
		t.Error("the file was written again")
	}
}

// A failed command writes nothing: a binding that changed does not
// re-seal the file, even with a recipient dropped.
func TestNoResealWhenRefused(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	store, sess := newKey(t), newKey(t)
	s := source(t, f, store)
	l := newLive(store.pub, sess.pub)
	s.Recipients = l.get
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))
	before := fileBytes(t, s)
	l.set(store.pub)
	c := *s
	c.Binding = Binding(s.Settings, "smtp.elsewhere.example:587")
	_, err := c.Token(context.Background())
	wantCode(t, err, mapi.NoAccess, 77)
	if !bytes.Equal(fileBytes(t, s), before) {
		t.Error("a refused Token wrote the file")
	}
}
