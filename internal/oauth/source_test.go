package oauth

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestTokenValidNeedsNoProvider(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))
	wantPrivate(t, s.Path)
	got, err := s.Token(context.Background())
	if err != nil || got != "AT-1" {
		t.Fatalf("Token = %q, %v; want AT-1", got, err)
	}
	exp, err := s.Expiry(context.Background())
	if err != nil || time.Until(exp) < 59*time.Minute || time.Until(exp) > time.Hour {
		t.Errorf("Expiry = %v, %v; want in an hour", exp, err)
	}
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests to the provider for a valid token", n)
	}
}

func TestTokenRefreshesOnExpiryAndKeepsTheRotatedToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	clk := newClock()
	s.Now = clk.Now
	at, rt := f.grant()
	save(t, s, at, rt, clk.Now().Add(time.Hour))

	clk.add(58 * time.Minute) // 2 minutes left: still good
	if got, err := s.Token(context.Background()); err != nil || got != at {
		t.Fatalf("Token = %q, %v; want the stored token", got, err)
	}
	clk.add(90 * time.Second) // 30 s left: refreshed first
	got, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got == at || !strings.HasPrefix(got, "AT-") {
		t.Fatalf("Token = %q; want a new access token", got)
	}
	r := stored(t, s)
	if r.AccessToken != got || r.RefreshToken == rt || !f.isLive(r.RefreshToken) {
		t.Errorf("file holds %q / %q; want the new access token and the rotated refresh token", r.AccessToken, r.RefreshToken)
	}
	if exp := r.expiry(); exp.Sub(clk.Now()) < 59*time.Minute || exp.Sub(clk.Now()) > time.Hour+time.Second {
		t.Errorf("expiry %v is not an hour after the simulated now %v", exp, clk.Now())
	}
	if form := f.form(); form.Get("refresh_token") != rt || form.Get("client_id") != "mapictl-test" {
		t.Errorf("refresh request %v", form)
	}
	// Hours of a CI job: every hour one refresh, each with the newest token.
	for i := range 5 {
		clk.add(time.Hour)
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatalf("hour %d: %v", i, err)
		}
	}
	if refreshes, reuses, _ := f.counts(); refreshes != 6 || reuses != 0 {
		t.Errorf("%d refreshes, %d reuses; want 6 and 0", refreshes, reuses)
	}
	wantPrivate(t, s.Path)
}

func TestRefreshWithoutRotationKeepsTheRefreshToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.with(func() { f.rotate = false })
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	got, err := s.Token(context.Background())
	if err != nil || got == at {
		t.Fatalf("Token = %q, %v", got, err)
	}
	if r := stored(t, s); r.RefreshToken != rt {
		t.Errorf("refresh token %q; want the old one kept", r.RefreshToken)
	}
}

func TestRefreshFormEncodedAnswer(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.set("form")
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	got, err := s.Token(context.Background())
	if err != nil || got == at {
		t.Fatalf("Token = %q, %v", got, err)
	}
	if exp := stored(t, s).expiry(); time.Until(exp) < 59*time.Minute {
		t.Errorf("expiry %v; want in an hour", exp)
	}
}

func TestRefreshRefused(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(time.Hour))

	// A server refused at: a new one, and the new one is what Token gives.
	got, err := s.Refresh(context.Background(), at)
	if err != nil || got == at {
		t.Fatalf("Refresh = %q, %v", got, err)
	}
	if tok, _ := s.Token(context.Background()); tok != got {
		t.Errorf("Token = %q after Refresh gave %q", tok, got)
	}
	// A refusal of a token already replaced (another process refreshed
	// meanwhile) takes the stored one: no request.
	_, _, before := f.counts()
	again, err := s.Refresh(context.Background(), at)
	if err != nil || again != got {
		t.Fatalf("Refresh of a replaced token = %q, %v; want %q", again, err, got)
	}
	if _, _, after := f.counts(); after != before {
		t.Errorf("%d requests for a token another process refreshed", after-before)
	}
}

func TestNoTokens(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	_, err := s.Token(context.Background())
	me := wantCode(t, err, mapi.Unconfigured, 78)
	if !strings.Contains(text(me), "no OAuth 2.0 tokens for section work") || !strings.Contains(text(me), "mapictl credential oauth2 work") {
		t.Errorf("error %q", text(me))
	}
	_, err = s.Refresh(context.Background(), "x")
	wantCode(t, err, mapi.Unconfigured, 78)
}

func TestBindingMismatch(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))
	for name, b := range map[string]string{
		"token url": Binding(Settings{Provider: "custom", ClientID: f.clientID, TokenURL: "https://evil.example/token"}, servers...),
		"server":    Binding(s.Settings, "smtp.evil.example:587"),
	} {
		s2 := *s
		s2.Binding = b
		_, err := s2.Token(context.Background())
		me := wantCode(t, err, mapi.NoAccess, 77)
		if !strings.Contains(me.Msg, "changed since its tokens were issued") {
			t.Errorf("%s: %q", name, me.Msg)
		}
		_, err = s2.Refresh(context.Background(), "AT-1")
		wantCode(t, err, mapi.NoAccess, 77)
	}
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests to the provider with changed settings", n)
	}
}

func TestSealedToOtherKeys(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	a, b := newKey(t), newKey(t)
	s := source(t, f, a)
	save(t, s, "AT-1", "RT-1", time.Now().Add(time.Hour))
	s.Identities = []age.Identity{b.id}
	_, err := s.Token(context.Background())
	me := wantCode(t, err, mapi.NoAccess, 77)
	if !strings.Contains(me.Msg, "section work") {
		t.Errorf("error %q does not name the section", me.Msg)
	}
	ct, _ := os.ReadFile(s.Path)
	if strings.Contains(string(ct), "AT-1") || strings.Contains(string(ct), "RT-1") {
		t.Error("the token file holds a token in plaintext")
	}
}

func TestRefreshFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode   string
		code   mapi.Code
		exit   int
		inText string
	}{
		{"invalid_grant", mapi.LogonFailed, 77, "mapictl credential oauth2 work"},
		{"invalid_client", mapi.LogonFailed, 77, "oauth2.client-id"},
		{"down", mapi.NetworkError, 75, "cannot be reached"},
		{"html", mapi.NetworkError, 75, "HTTP 502"},
		{"html200", mapi.NetworkError, 75, "not an OAuth 2.0 token response"},
		{"junk", mapi.NetworkError, 75, "not an OAuth 2.0 token response"},
		{"noaccess", mapi.NetworkError, 75, "not an OAuth 2.0 token response"},
		{"server_error", mapi.NetworkError, 75, "temporarily_unavailable"},
		{"slow", mapi.NetworkError, 75, "timed out"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.set(tc.mode)
			s := source(t, f, newKey(t))
			s.Timeout = 500 * time.Millisecond
			at, rt := f.grant()
			save(t, s, at, rt, time.Now().Add(-time.Minute))
			_, err := s.Token(context.Background())
			me := wantCode(t, err, tc.code, tc.exit)
			if !strings.Contains(text(me), tc.inText) || !strings.Contains(me.Msg, "section work") {
				t.Errorf("error %q lacks %q or the section", text(me), tc.inText)
			}
			if r := stored(t, s); r.AccessToken != at || r.RefreshToken != rt {
				t.Error("a failed refresh changed the token file")
			}
			if _, _, n := f.counts(); n != 1 {
				t.Errorf("%d requests: the refresh token was presented more than once", n)
			}
		})
	}
}

func TestProviderUnreachable(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	s.Settings.TokenURL = closedURL(t) + "/token"
	s.Binding = Binding(s.Settings, servers...)
	save(t, s, "AT-1", "RT-1", time.Now().Add(-time.Minute))
	_, err := s.Token(context.Background())
	wantCode(t, err, mapi.NetworkError, 75)
}

func TestRefreshCancelled(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.set("slow")
	s := source(t, f, newKey(t))
	save(t, s, "AT-1", "RT-1", time.Now().Add(-time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := s.Token(ctx)
	wantCode(t, err, mapi.UserCancel, 130)
}

func TestRevokedGrant(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	at, rt := f.grant()
	save(t, s, at, rt, time.Now().Add(-time.Minute))
	f.revokeAll()
	_, err := s.Token(context.Background())
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "invalid_grant") {
		t.Errorf("error %q does not carry the provider's code", me.Msg)
	}
}

// A file without a refresh token says so: "expired" only when the token
// did expire, and no request either way.
func TestNoRefreshToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := source(t, f, newKey(t))
	save(t, s, "AT-1", "", time.Now().Add(time.Hour))
	_, err := s.Refresh(context.Background(), "AT-1")
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "was refused, and there is no refresh token: sign in again") || strings.Contains(me.Msg, "expired") ||
		!strings.Contains(text(me), "mapictl credential oauth2 work") {
		t.Errorf("a refused token: %q", text(me))
	}
	save(t, s, "AT-1", "", time.Now().Add(-time.Minute))
	_, err = s.Token(context.Background())
	me = wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "expired, and there is no refresh token: sign in again") {
		t.Errorf("an expired token: %q", me.Msg)
	}
	if _, _, n := f.counts(); n != 0 {
		t.Errorf("%d requests without a refresh token", n)
	}
}
