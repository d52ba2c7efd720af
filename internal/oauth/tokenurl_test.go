package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// issuer is a discovery server whose token endpoint the test can move; hook
// runs at each discovery request.
type issuer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	tok  string
	hook func()
}

func newIssuer(t *testing.T, tokenURL string) *issuer {
	is := &issuer{tok: tokenURL}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		is.mu.Lock()
		tok, hook := is.tok, is.hook
		is.mu.Unlock()
		if hook != nil {
			hook()
		}
		writeJSON(w, 200, map[string]any{"issuer": is.srv.URL, "token_endpoint": tok})
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) move(tokenURL string) { is.mu.Lock(); is.tok = tokenURL; is.mu.Unlock() }

// discovering is a Source for f whose token endpoint is found at is.
func discovering(t *testing.T, f *fake, is *issuer) *Source {
	s := source(t, f, newKey(t))
	s.Settings = Settings{Provider: "custom", ClientID: f.clientID, Issuer: is.srv.URL}
	s.Binding = Binding(s.Settings, servers...)
	return s
}

// The binding holds the issuer, not what discovery finds there: the file
// records the token URL its tokens were issued by, and a refresh refuses
// another one (77) without a request.
func TestRefreshRefusesAnotherTokenURL(t *testing.T) {
	t.Parallel()
	f, elsewhere := newFake(t), newFake(t)
	is := newIssuer(t, f.srv.URL+"/token")
	s := discovering(t, f, is)
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	if r := stored(t, s); r.TokenURL != f.srv.URL+"/token" {
		t.Fatalf("the file records token URL %q", r.TokenURL)
	}

	is.move(elsewhere.srv.URL + "/token")
	_, err := s.Token(context.Background())
	me := wantCode(t, err, mapi.NoAccess, 77)
	if !strings.Contains(me.Msg, "token endpoint") || !strings.Contains(text(me), "credential oauth2 work") {
		t.Errorf("error %q", text(me))
	}
	_, err = s.Refresh(context.Background(), at)
	wantCode(t, err, mapi.NoAccess, 77)
	for _, p := range []*fake{f, elsewhere} {
		if _, _, n := p.counts(); n != 0 {
			t.Errorf("%d requests to a token endpoint", n)
		}
	}

	// Back where it was: the refresh goes through.
	is.move(f.srv.URL + "/token")
	if tok, err := s.Token(context.Background()); err != nil || tok == at {
		t.Errorf("Token = %q, %v", tok, err)
	}
}

// A file written before the token URL was recorded is refreshed where the
// settings resolve now, and records it.
func TestTokenURLRecordedOnOldFile(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	k := newKey(t)
	s := source(t, f, k)
	at, rt := f.grant()
	old := &record{AccessToken: at, RefreshToken: rt, Binding: s.Binding}
	old.setExpiry(time.Now().Add(-time.Minute))
	writeLegacy(t, s.Path, old, k.pub)
	if tok, err := s.Token(context.Background()); err != nil || tok == at {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	if r := stored(t, s); r.TokenURL != f.srv.URL+"/token" {
		t.Errorf("token URL %q recorded", r.TokenURL)
	}
}

// Discovery runs before the file's lock is taken, so the lock is held
// across the one request to the provider only.
func TestDiscoveryOutsideTheLock(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	is := newIssuer(t, f.srv.URL+"/token")
	s := discovering(t, f, is)
	var mu sync.Mutex
	var held, asked int
	is.hook = func() {
		fl, err := lock(context.Background(), s.Path, 50*time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		asked++
		if err != nil {
			held++
			return
		}
		unlock(fl)
	}
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(context.Background(), "refused-by-a-server"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if asked < 2 || held != 0 {
		t.Errorf("%d of %d discoveries ran holding the lock", held, asked)
	}
}

// Discovery obeys Source.Timeout (the caller's client has none).
func TestDiscoveryTimeout(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	is := newIssuer(t, f.srv.URL+"/token")
	s := discovering(t, f, is)
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	is.hook = func() {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	}
	s.HTTP = &http.Client{}
	s.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := s.Token(context.Background())
	wantCode(t, err, mapi.NetworkError, 75)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("discovery gave up after %v; Timeout is %v", d, s.Timeout)
	}
}
