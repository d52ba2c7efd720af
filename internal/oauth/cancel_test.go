package oauth

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// A refresh request sent before ctx is cancelled (the first Ctrl-C or
// SIGTERM) runs to its answer, which is written before 130 is returned:
// the provider has rotated the refresh token by then, and an answer
// dropped would leave the file with a used one (reuse, the grant revoked).
// The same for a seed. A ctx cancelled before the request sends nothing.
func TestRefreshSurvivesCancel(t *testing.T) {
	t.Parallel()
	for _, seeded := range []bool{false, true} {
		f := newFake(t)
		clk := newClock()
		s := source(t, f, newKey(t))
		s.Now = clk.Now
		at, rt := f.grant()
		if seeded {
			s.Seed = Seed{RefreshToken: rt}
		} else {
			save(t, s, at, rt, clk.Now().Add(-time.Minute))
		}
		f.with(func() { f.delay = 300 * time.Millisecond })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := s.Token(ctx)
		wantCode(t, err, mapi.UserCancel, 130)
		r := stored(t, s)
		if r.RefreshToken == rt || !f.isLive(r.RefreshToken) || seeded && !r.hasSeed(s.Seed.Digest()) {
			t.Fatalf("seeded %v: the provider's answer was not saved: %+v", seeded, r)
		}
		f.with(func() { f.delay = 0 })
		clk.add(2 * time.Hour)
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatalf("seeded %v: the next refresh: %v", seeded, err)
		}
		if refreshes, reuses, _ := f.counts(); refreshes != 2 || reuses != 0 {
			t.Errorf("seeded %v: %d refreshes, %d reuses; want 2 and 0", seeded, refreshes, reuses)
		}
	}

	f := newFake(t)
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Token(ctx)
	wantCode(t, err, mapi.UserCancel, 130)
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests on a cancelled ctx", n)
	}
}

// afterTrip runs fn after each request's answer arrived.
type afterTrip struct{ fn func() }

func (a afterTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	a.fn()
	return resp, err
}

// A refreshed answer that cannot be written is 74, saying the provider
// rotated the refresh token (the one left in the file may be dead) and
// that a new sign-in may be needed; no secret in it.
func TestUnsavedRefresh(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	s.HTTP = &http.Client{Transport: afterTrip{func() {
		// The file's place taken by a directory: the rename fails.
		if err := os.Remove(s.Path); err != nil {
			t.Error(err)
		}
		if err := os.Mkdir(s.Path, 0o700); err != nil {
			t.Error(err)
		}
	}}}
	_, err := s.Token(context.Background())
	me := wantCode(t, err, mapi.DiskError, 74)
	if !strings.Contains(me.Msg, "rotated the refresh token") || !strings.Contains(me.Msg, "sign-in may be needed") {
		t.Errorf("error %q does not name the rotated refresh token", me.Msg)
	}
	if !strings.Contains(text(err), "credential oauth2 work") {
		t.Errorf("no sign-in hint: %s", text(err))
	}
	for _, secret := range append(f.secrets(), at, rt) {
		if strings.Contains(text(err), secret) {
			t.Errorf("a secret in the error: %s", text(err))
		}
	}
}
