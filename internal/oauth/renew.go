package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
)

// renew replaces the access token replaced, or starts the file from the
// Seed's refresh token when the file was never started from it, under the
// file's lock (the package doc). The endpoints are resolved first, without
// the lock, so that the lock is held across one request only. Holding the
// lock it re-reads the file: a valid token another process stored is taken
// as it is; else one request to the provider, whose answer is written
// before the lock is released. why is what became of replaced ("expired",
// "was refused"), for the error of a file without a refresh token.
func (s *Source) renew(ctx context.Context, replaced, why string) (*record, error) {
	e, err := s.endpoints(ctx)
	if err != nil {
		return nil, s.inSection(err)
	}
	fl, err := lock(ctx, s.Path, s.timeout())
	if err != nil {
		return nil, s.inSection(err)
	}
	defer unlock(fl)
	r, err := s.read()
	if err != nil {
		return nil, err
	}
	if s.seedRefresh(r) {
		return s.exchange(ctx, e, r, s.Seed.RefreshToken, s.Seed.Digest())
	}
	if err := s.check(r); err != nil {
		return nil, err
	}
	if r.AccessToken != replaced && r.validAt(s.now()) {
		return r, nil // another process refreshed (or seeded) meanwhile
	}
	if r.RefreshToken == "" {
		return nil, s.noRefreshToken(why)
	}
	if r.TokenURL != "" && r.TokenURL != e.TokenURL {
		return nil, mapi.Errorf(mapi.NoAccess, "the OAuth 2.0 token endpoint of section %s is not the one its tokens were issued by", s.Section).
			WithHint(fmt.Sprintf("if the provider moved its token endpoint, run `mapictl credential oauth2 %s` to sign in again", s.Section))
	}
	return s.exchange(ctx, e, r, r.RefreshToken, "")
}

// exchange presents the refresh token rt at e, once, and writes the answer
// as the file: old's seeds (old nil: no file) and seed, the binding, the
// token URL e names, sealed to Recipients. Call it holding the lock. A
// refused or failed request writes nothing. ctx cancelled before the
// request is 130 with nothing sent; once sent, the request runs to its
// answer or the timeout whatever ctx does, and an answer is written
// before the 130 of a cancelled ctx is returned.
func (s *Source) exchange(ctx context.Context, e Endpoints, old *record, rt, seed string) (*record, error) {
	f := failure{
		what:    fmt.Sprintf("cannot refresh the OAuth 2.0 token of section %s", s.Section),
		again:   signInHint(s.Section),
		secrets: []string{rt, s.Seed.RefreshToken, s.Seed.AccessToken, s.Settings.ClientSecret},
	}
	if old != nil {
		f.secrets = append(f.secrets, old.RefreshToken, old.AccessToken)
	}
	if seed != "" {
		f.what = fmt.Sprintf("cannot start the OAuth 2.0 tokens of section %s from the seed refresh token (oauth2.refresh-token)", s.Section)
		f.again = fmt.Sprintf("replace the seed (oauth2.refresh-token), or run `mapictl credential oauth2 %s` to sign in", s.Section)
	}
	// Who may open the answer, asked holding the lock and before the
	// request: a refresh whose answer could not be sealed is not made.
	rs, err := s.recipients()
	if err != nil {
		return nil, err
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, f.classify(ctx, ctx.Err()) // 130, nothing sent
	}
	// Once sent, the request outlives ctx's cancellation (the first Ctrl-C
	// or SIGTERM), bounded by the timeout alone: the provider may already
	// have rotated rt, and an answer dropped would leave the file with a
	// refresh token that no longer works. The answer is written, then 130
	// returned.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout())
	defer cancel()
	rctx = withClient(rctx, httpClient(s.HTTP, s.timeout()))
	// One request, explicitly: a fresh refresher for this refresh token,
	// asked once. Never a cached TokenSource (it would keep a refresh
	// token this process no longer owns).
	tok, err := config(s.Settings, e, "").TokenSource(rctx, &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		return nil, f.classify(ctx, err)
	}
	n := &record{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType,
		Binding: s.Binding, TokenURL: e.TokenURL}
	if n.RefreshToken == "" {
		n.RefreshToken = rt // the provider keeps the old one valid
	}
	if old != nil {
		n.Seeds = slices.Clone(old.Seeds)
	}
	n.addSeed(seed)
	n.setExpiry(expiryOf(tok, s.now()))
	if err := writeFile(s.Path, n, rs); err != nil {
		return nil, s.unsaved(err, n.RefreshToken != rt)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, mapi.Errorf(mapi.UserCancel, "section %s: interrupted (the provider's new OAuth 2.0 tokens were saved)", s.Section)
	}
	return n, nil
}

// unsaved is the error of a refresh whose answer could not be written
// (err, its code and exit kept): rotated says whether the provider issued
// a new refresh token, which makes the one the file still holds useless
// to a provider that rotates strictly.
func (s *Source) unsaved(err error, rotated bool) *mapi.Error {
	me := mapi.AsError(err)
	msg := fmt.Sprintf("section %s: the provider issued new OAuth 2.0 tokens, but they could not be saved", s.Section)
	if rotated {
		msg += "; the provider rotated the refresh token, so the one left in the token file may no longer work and a new sign-in may be needed"
	}
	return mapi.Wrap(me.Code, me, msg).WithExit(me.ExitStatus()).
		WithHint(fmt.Sprintf("fix the cause; if the next command is refused (77), run `mapictl credential oauth2 %s` to sign in again", s.Section))
}

// expiryOf is when tok expires on the clock now comes from (Source.Now),
// from the response's expires_in; zero when the provider said nothing.
func expiryOf(tok *oauth2.Token, now time.Time) time.Time {
	switch {
	case tok.ExpiresIn > 0:
		return now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero(): // a form-encoded answer: x/oauth2 counted from time.Now
		return now.Add(time.Until(tok.Expiry))
	}
	return time.Time{}
}

// endpoints resolves Settings, at each refresh (at most one discovery
// request, for a custom issuer, within Timeout): a Source stays a plain
// value. Call it without the lock.
func (s *Source) endpoints(ctx context.Context) (Endpoints, error) {
	dctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	return s.Settings.Resolve(dctx, httpClient(s.HTTP, s.timeout()))
}
