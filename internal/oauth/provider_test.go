package oauth

// Tests against a real OpenID provider (internal/oauthtest: zitadel/oidc's
// op on loopback) with refresh token rotation and reuse detection.

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauthtest"
)

// opSettings are custom settings discovering p.
func opSettings(p *oauthtest.Provider) Settings {
	return Settings{Provider: "custom", ClientID: p.ClientID, Issuer: p.Issuer}
}

// login runs the browser dialog against p, following its redirect as the
// user's browser does; it returns the tokens and the page the browser saw.
func login(t *testing.T, p *oauthtest.Provider, s Settings) (*oauth2.Token, string) {
	t.Helper()
	e, err := s.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := make(chan string, 1)
	tok, err := Browser(context.Background(), s, e, nil, func(authURL string) {
		go func() {
			redirect, err := p.Login(authURL)
			if err != nil {
				t.Error(err)
				pages <- ""
				return
			}
			resp, err := http.Get(redirect)
			if err != nil {
				t.Error(err)
				pages <- ""
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			pages <- string(b)
		}()
	})
	if err != nil {
		t.Fatalf("Browser: %v", err)
	}
	return tok, <-pages
}

// opSource is a Source for p on a new store, holding tok (expiring when tok
// says, on the clock clk).
func opSource(t *testing.T, p *oauthtest.Provider, s Settings, k key, tok *oauth2.Token, clk *clock) *Source {
	t.Helper()
	src := &Source{Section: "work", Path: Path(t.TempDir(), "P", "S"), Settings: s, Binding: Binding(s, servers...),
		Identities: []age.Identity{k.id}, Recipients: fixed(k.pub), Timeout: 10 * time.Second}
	if clk != nil {
		src.Now = clk.Now
	}
	if tok != nil {
		e, err := s.Resolve(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := Save(context.Background(), src.Path, tok, src.Binding, "", e.TokenURL, src.Identities, src.Recipients); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// wantValid fails unless the provider takes tok as the user's.
func wantValid(t *testing.T, p *oauthtest.Provider, tok string) {
	t.Helper()
	if email, ok := p.Validate(tok); !ok || email != p.Email {
		t.Errorf("the provider does not take the token (%q, %v)", email, ok)
	}
}

func TestOPDevice(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t)
	s := opSettings(p)
	e, err := s.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Device(context.Background(), s, e, nil, func(dc DeviceCode) {
		go func() {
			if err := p.ApproveDevice(dc.UserCode); err != nil {
				t.Error(err)
			}
		}()
	})
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token")
	}
	wantValid(t, p, tok.AccessToken)

	// Declined: 77.
	_, err = Device(context.Background(), s, e, nil, func(dc DeviceCode) {
		go func() {
			if err := p.DenyDevice(dc.UserCode); err != nil {
				t.Error(err)
			}
		}()
	})
	wantCode(t, err, mapi.LogonFailed, 77)
}

func TestOPBrowser(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t)
	tok, page := login(t, p, opSettings(p))
	if tok.RefreshToken == "" {
		t.Error("no refresh token")
	}
	wantValid(t, p, tok.AccessToken)
	if !strings.Contains(page, "Signed in") {
		t.Errorf("the browser saw %q", page)
	}
}

func TestOPConfidentialClient(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t, oauthtest.ClientSecret("op-client-secret"))
	s := opSettings(p)
	s.ClientSecret = "op-client-secret"
	e, err := s.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Device(context.Background(), s, e, nil, func(dc DeviceCode) {
		go func() {
			if err := p.ApproveDevice(dc.UserCode); err != nil {
				t.Error(err)
			}
		}()
	})
	if err != nil {
		t.Fatalf("device grant of a confidential client: %v", err)
	}
	clk := newClock()
	src := opSource(t, p, s, newKey(t), tok, clk)
	clk.add(2 * time.Hour)
	at, err := src.Token(context.Background())
	if err != nil {
		t.Fatalf("refresh of a confidential client: %v", err)
	}
	wantValid(t, p, at)

	src.Settings.ClientSecret = "wrong"
	clk.add(2 * time.Hour)
	_, err = src.Token(context.Background())
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(text(me), "client") {
		t.Errorf("error %q", text(me))
	}
}

func TestOPRefreshAndRotation(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t)
	s := opSettings(p)
	tok, _ := login(t, p, s)
	clk := newClock()
	src := opSource(t, p, s, newKey(t), tok, clk)

	if at, err := src.Token(context.Background()); err != nil || at != tok.AccessToken {
		t.Fatalf("Token = %q, %v; want the signed-in token", at, err)
	}
	// A CI job running for hours: each hour's token is a new one, each from
	// the newest refresh token (no reuse, or the op would revoke the grant).
	last := tok.AccessToken
	for i := range 4 {
		clk.add(59*time.Minute + 30*time.Second)
		at, err := src.Token(context.Background())
		if err != nil {
			t.Fatalf("hour %d: %v", i, err)
		}
		if at == last {
			t.Fatalf("hour %d: the expiring token was not refreshed", i)
		}
		wantValid(t, p, at)
		last = at
	}
	if p.RefreshCount() != 4 || p.ReuseCount() != 0 {
		t.Errorf("%d refreshes, %d reuses; want 4 and 0", p.RefreshCount(), p.ReuseCount())
	}
	if r := stored(t, src); r.RefreshToken == tok.RefreshToken || r.AccessToken != last {
		t.Error("the file does not hold the newest tokens")
	}

	// A server refused the token: Refresh, once.
	at, err := src.Refresh(context.Background(), last)
	if err != nil || at == last {
		t.Fatalf("Refresh = %q, %v", at, err)
	}
	wantValid(t, p, at)
	if p.ReuseCount() != 0 {
		t.Errorf("%d reuses", p.ReuseCount())
	}
}

// SIGINT while the provider's answer to a refresh is on its way: the op
// has rotated the refresh token already, so the answer is awaited and
// written before 130; the next refresh presents the new refresh token, not
// the rotated-out one (reuse, which would revoke the grant: 77 for good).
func TestOPRefreshSurvivesCancel(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t, oauthtest.TokenDelay(500*time.Millisecond))
	s := opSettings(p)
	tok, _ := login(t, p, s)
	clk := newClock()
	src := opSource(t, p, s, newKey(t), tok, clk)
	clk.add(2 * time.Hour)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel) // the first Ctrl-C
	_, err := src.Token(ctx)
	wantCode(t, err, mapi.UserCancel, 130)
	if p.RefreshCount() != 1 {
		t.Fatalf("%d refreshes; want 1", p.RefreshCount())
	}
	if r := stored(t, src); r.RefreshToken == tok.RefreshToken {
		t.Fatal("the rotated refresh token was not saved")
	}

	clk.add(2 * time.Hour)
	at, err := src.Token(context.Background())
	if err != nil {
		t.Fatalf("the next refresh: %v", err)
	}
	wantValid(t, p, at)
	if p.RefreshCount() != 2 || p.ReuseCount() != 0 {
		t.Errorf("%d refreshes, %d reuses; want 2 and 0", p.RefreshCount(), p.ReuseCount())
	}
}

func TestOPConcurrentGoroutines(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t)
	s := opSettings(p)
	tok, _ := login(t, p, s)
	tok.Expiry = time.Now().Add(-time.Second)
	src := opSource(t, p, s, newKey(t), tok, nil)
	at := race(t, 6, inProcess(src))
	opAfterRace(t, p, src, tok, at)
}

func TestOPConcurrentProcesses(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t)
	s := Settings{Provider: "custom", ClientID: p.ClientID, TokenURL: p.TokenURL()}
	tok, _ := login(t, p, Settings{Provider: "custom", ClientID: p.ClientID, Issuer: p.Issuer})
	tok.Expiry = time.Now().Add(-time.Second)
	k := newKey(t)
	src := opSource(t, p, s, k, tok, nil)
	at := race(t, 3, inHelper(src, k))
	opAfterRace(t, p, src, tok, at)
}

// opAfterRace checks the outcome of refreshes at once: one refresh, no
// reuse, the one token valid, and the file's refresh token the newest (the
// next refresh works without reuse).
func opAfterRace(t *testing.T, p *oauthtest.Provider, src *Source, old *oauth2.Token, at string) {
	t.Helper()
	if at == old.AccessToken {
		t.Error("the expired token was handed out")
	}
	wantValid(t, p, at)
	if p.RefreshCount() != 1 || p.ReuseCount() != 0 {
		t.Errorf("%d refreshes, %d reuses; want 1 and 0", p.RefreshCount(), p.ReuseCount())
	}
	next, err := src.Refresh(context.Background(), at)
	if err != nil {
		t.Fatalf("refresh with the stored refresh token: %v", err)
	}
	wantValid(t, p, next)
	if p.ReuseCount() != 0 {
		t.Errorf("the stored refresh token was not the newest: %d reuses", p.ReuseCount())
	}
}

func TestOPFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		break_ func(*oauthtest.Provider)
		code   mapi.Code
		exit   int
	}{
		{"revoked", (*oauthtest.Provider).RevokeAll, mapi.LogonFailed, 77},
		{"down", func(p *oauthtest.Provider) { p.SetDown(true) }, mapi.NetworkError, 75},
		{"html", func(p *oauthtest.Provider) { p.SetJunk("html") }, mapi.NetworkError, 75},
		{"garbage", func(p *oauthtest.Provider) { p.SetJunk("garbage") }, mapi.NetworkError, 75},
		{"close", func(p *oauthtest.Provider) { p.SetJunk("close") }, mapi.NetworkError, 75},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := oauthtest.New(t)
			s := opSettings(p)
			tok, _ := login(t, p, s)
			clk := newClock()
			src := opSource(t, p, s, newKey(t), tok, clk)
			clk.add(2 * time.Hour)
			tc.break_(p)
			_, err := src.Token(context.Background())
			me := wantCode(t, err, tc.code, tc.exit)
			msg := text(me)
			if tc.exit == 77 && !strings.Contains(msg, "mapictl credential oauth2 work") {
				t.Errorf("no sign-in hint: %q", msg)
			}
			for _, x := range []string{tok.AccessToken, tok.RefreshToken} {
				if strings.Contains(msg, x) {
					t.Errorf("error %q holds a token", msg)
				}
			}
			if r := stored(t, src); r.RefreshToken != tok.RefreshToken {
				t.Error("a failed refresh changed the stored refresh token")
			}
			if p.ReuseCount() != 0 {
				t.Errorf("%d reuses", p.ReuseCount())
			}
			if tc.exit == 75 { // the provider is back: the kept refresh token works
				p.SetDown(false)
				p.SetJunk("")
				at, err := src.Token(context.Background())
				if err != nil {
					t.Fatalf("after the provider came back: %v", err)
				}
				wantValid(t, p, at)
			}
		})
	}
}

func TestOPBindingSeedAndKeys(t *testing.T) {
	t.Parallel()
	p := oauthtest.New(t)
	s := opSettings(p)
	a, b := newKey(t), newKey(t)
	tok, _ := login(t, p, s)
	src := opSource(t, p, s, a, tok, nil)

	// Another server, another token URL: no token, no request.
	for _, bnd := range []string{Binding(s, "smtp.other.example:587"),
		Binding(Settings{Provider: "custom", ClientID: p.ClientID, TokenURL: p.TokenURL()}, servers...)} {
		c := *src
		c.Binding = bnd
		_, err := c.Token(context.Background())
		wantCode(t, err, mapi.NoAccess, 77)
		_, err = c.Refresh(context.Background(), tok.AccessToken)
		wantCode(t, err, mapi.NoAccess, 77)
	}
	// Sealed to key A: key B does not open it.
	c := *src
	c.Identities = []age.Identity{b.id}
	_, err := c.Token(context.Background())
	wantCode(t, err, mapi.NoAccess, 77)
	if p.RefreshCount() != 0 {
		t.Errorf("%d refreshes for refused sources", p.RefreshCount())
	}

	// A new seed (another sign-in's refresh token, as `apply` puts in the
	// secure range) replaces the file.
	seedTok, _ := login(t, p, s)
	c = *src
	c.Seed = Seed{RefreshToken: seedTok.RefreshToken}
	at, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantValid(t, p, at)
	if at == tok.AccessToken || at == seedTok.AccessToken {
		t.Error("the seed did not replace the file's tokens")
	}
	r := stored(t, &c)
	if !r.hasSeed(c.Seed.Digest()) || r.RefreshToken == seedTok.RefreshToken {
		t.Errorf("the file after seeding: seeds %q", r.Seeds)
	}
	// The same seed again changes nothing (its refresh token was rotated:
	// presenting it again would be reuse).
	if again, err := c.Token(context.Background()); err != nil || again != at {
		t.Errorf("Token with the same seed = %q, %v; want %q", again, err, at)
	}
	if p.ReuseCount() != 0 {
		t.Errorf("%d reuses", p.ReuseCount())
	}
}

// TestOPSeedSharedByCIJobs holds docs/oauth2.md's rule for CI: one seed
// (a refresh token in the secure range) serves many jobs, each with a new
// store, only on a provider that keeps a used refresh token valid, as
// Microsoft and Google do. Under strict rotation the second job presents
// a rotated-out token: the provider sees reuse and revokes the grant, and
// the job fails with 77 (hence: keep the store between jobs).
func TestOPSeedSharedByCIJobs(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{true, false} {
		opts := []oauthtest.Option{}
		if keep {
			opts = append(opts, oauthtest.KeepUsedRefreshTokens())
		}
		p := oauthtest.New(t, opts...)
		s := opSettings(p)
		k := newKey(t)
		tok, _ := login(t, p, s)
		seed := Seed{RefreshToken: tok.RefreshToken} // no access token: each job refreshes
		var errs []error
		for job := 0; job < 3; job++ {
			src := opSource(t, p, s, k, nil, nil) // a fresh store per job
			src.Seed = seed
			at, err := src.Token(context.Background())
			errs = append(errs, err)
			if err == nil {
				wantValid(t, p, at)
			}
		}
		if keep {
			for i, err := range errs {
				if err != nil {
					t.Errorf("job %d on a provider that keeps used refresh tokens: %v", i+1, err)
				}
			}
			if p.ReuseCount() != 0 {
				t.Errorf("reuse counted on a provider that keeps used refresh tokens: %d", p.ReuseCount())
			}
			continue
		}
		if errs[0] != nil {
			t.Fatalf("first job under strict rotation: %v", errs[0])
		}
		e := wantCode(t, errs[1], mapi.LogonFailed, 77)
		if !strings.Contains(strings.Join(e.Hints, " "), "credential oauth2 work") {
			t.Errorf("hints %q lack the sign-in command", e.Hints)
		}
		wantCode(t, errs[2], mapi.LogonFailed, 77)
		if p.ReuseCount() != 2 {
			t.Errorf("ReuseCount = %d after two more jobs presented the seed, want 2", p.ReuseCount())
		}
	}
}
