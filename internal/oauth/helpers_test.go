package oauth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// *Source is what a transport is handed.
var _ transport.TokenSource = (*Source)(nil)

// key is an age key for a test.
type key struct {
	id  *age.X25519Identity
	pub string
}

func newKey(t testing.TB) key {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return key{id, id.Recipient().String()}
}

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// servers are what the tests bind tokens to.
var servers = []string{"smtp.example.org:587", "imap.example.org:993"}

// source is a Source on a new store for f's settings, sealed to k.
func source(t *testing.T, f *fake, k key) *Source {
	t.Helper()
	s := f.settings()
	return &Source{
		Section:    "work",
		Path:       Path(t.TempDir(), "P-UID", "S-UID"),
		Settings:   s,
		Binding:    Binding(s, servers...),
		Identities: []age.Identity{k.id},
		Recipients: fixed(k.pub),
		Timeout:    5 * time.Second,
	}
}

// fixed is a Recipients that always returns rs.
func fixed(rs ...string) func() ([]string, error) {
	return func() ([]string, error) { return rs, nil }
}

// save writes tokens as a logon dialog would, expiring at exp, from the
// token URL s resolves to.
func save(t *testing.T, s *Source, at, rt string, exp time.Time) {
	t.Helper()
	e, err := s.Settings.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(context.Background(), s.Path, &oauth2.Token{AccessToken: at, RefreshToken: rt, TokenType: "Bearer", Expiry: exp},
		s.Binding, s.Seed.Digest(), e.TokenURL, s.Identities, s.Recipients); err != nil {
		t.Fatal(err)
	}
}

// stored is the token file of s, opened with its identities.
func stored(t *testing.T, s *Source) *record {
	t.Helper()
	r, err := readFile(s.Path, s.Identities)
	if err != nil {
		t.Fatal(err)
	}
	if r == nil {
		t.Fatal("no token file")
	}
	return r
}

// wantCode fails unless err is a *mapi.Error with code c and exit status.
func wantCode(t *testing.T, err error, c mapi.Code, exit int) *mapi.Error {
	t.Helper()
	var me *mapi.Error
	if !errors.As(err, &me) {
		t.Fatalf("error %v (%T): want a *mapi.Error %s", err, err, c.Name)
	}
	if me.Code != c || me.ExitStatus() != exit {
		t.Fatalf("error %q: %s exit %d, want %s exit %d", me.Msg, me.Code.Name, me.ExitStatus(), c.Name, exit)
	}
	return me
}

// wantPrivate fails unless path is mode 0600 in a 0700 directory.
func wantPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s is %v, want 0600", path, fi.Mode().Perm())
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("%s is %v, want 0700", filepath.Dir(path), di.Mode().Perm())
	}
}

// text is everything of err a user or log could see: the text of every
// error in its chain and every hint.
func text(err error) string {
	var b strings.Builder
	for e := err; e != nil; e = errors.Unwrap(e) {
		b.WriteString(e.Error() + "\n")
		if me, ok := e.(*mapi.Error); ok {
			b.WriteString(strings.Join(me.Hints, "\n") + "\n")
		}
	}
	return b.String()
}
