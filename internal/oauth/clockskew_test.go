package oauth

import (
	"context"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/oauthtest"
)

// TestOPClockSkew: the local clock and the provider's disagree. Behind
// (or set back after the token came): the file says the access token is
// still good while the provider, and so the mail server, has expired it;
// the server's refusal makes the transport call Refresh with that token,
// which refreshes although the local clock sees no reason to. Ahead: every
// token looks expired at once, so each use refreshes, and with rotation
// on that never presents a refresh token twice.
func TestOPClockSkew(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t, oauthtest.AccessTokenLifetime(time.Second))
	s := opSettings(p)
	k := newKey(t)
	ctx := context.Background()

	behind := &clock{t: time.Now().Add(-2 * time.Hour)}
	tok, _ := login(t, p, s)
	src := opSource(t, p, s, k, tok, behind)
	time.Sleep(1500 * time.Millisecond) // the provider's second passes
	at, err := src.Token(ctx)
	if err != nil || at != tok.AccessToken {
		t.Fatalf("Token with a clock behind = %v; want the stored token, which looks valid locally", err)
	}
	if _, ok := p.Validate(at); ok {
		t.Fatal("the provider still takes a token past its lifetime: the test proves nothing")
	}
	fresh, err := src.Refresh(ctx, at) // what the transport does after the server's refusal
	if err != nil {
		t.Fatalf("Refresh after a refusal, clock behind: %v", err)
	}
	wantValid(t, p, fresh)

	ahead := &clock{t: time.Now().Add(2 * time.Hour)}
	tok2, _ := login(t, p, s)
	src2 := opSource(t, p, s, k, tok2, ahead)
	before := p.RefreshCount()
	for range 3 {
		at, err := src2.Token(ctx)
		if err != nil {
			t.Fatalf("Token with a clock ahead: %v", err)
		}
		wantValid(t, p, at)
	}
	if n := p.RefreshCount() - before; n != 3 {
		t.Errorf("%d refreshes for 3 uses with a clock ahead; want 3 (each token looks expired)", n)
	}
	if p.ReuseCount() != 0 {
		t.Errorf("ReuseCount %d; want 0", p.ReuseCount())
	}
}
