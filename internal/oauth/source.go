package oauth

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Source is one section's token supply for one process, over the section's
// token file; *Source implements transport.TokenSource. Its methods are safe
// for concurrent use, by goroutines and by processes sharing the file.
type Source struct {
	Section    string         // the section's name, for hints ("run `mapictl credential oauth2 SECTION`")
	Path       string         // the token file ([Path])
	Settings   Settings       // the section's oauth2.* settings and client secret
	Binding    string         // [Binding] of Settings and the servers the tokens go to
	Seed       Seed           // the secure range's seed; zero: none
	Identities []age.Identity // open the token file: the store identity, or a session's key
	Recipients []string       // seal it on every write: identity.pub + the unexpired sessions'
	HTTP       *http.Client   // nil: a default client
	// Timeout bounds one request to the provider, and the longest wait for
	// the file's lock; 0 = 30 s.
	Timeout time.Duration
	Now     func() time.Time // nil: time.Now
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Source) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return defaultTimeout
}

// Token returns the access token to present now. A token that expires
// within a minute (by Now) is refreshed first, under the file's lock. When
// the Seed is new to the file (or there is no file), the file is seeded
// first. Errors (all *mapi.Error): 78 no file and no seed; 77 the file's
// binding is not Binding, the file is sealed to other keys, the provider
// refused the grant or client; 75 the provider cannot be reached or
// answers junk, or the lock is held too long; 130 ctx cancelled; 65, 74.
func (s *Source) Token(ctx context.Context) (string, error) {
	r, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	return r.AccessToken, nil
}

// Refresh returns a new access token after a server refused refused: the
// one another process stored meanwhile if it differs from refused and is
// valid for more than a minute, else one refreshed from the provider.
// Errors as Token.
func (s *Source) Refresh(ctx context.Context, refused string) (string, error) {
	r, err := s.refresh(ctx, refused)
	if err != nil {
		return "", err
	}
	return r.AccessToken, nil
}

// Expiry is when the token Token returns now expires (zero if unknown);
// spool watch reconnects before it. It refreshes as Token does. Errors as
// Token.
func (s *Source) Expiry(ctx context.Context) (time.Time, error) {
	r, err := s.current(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return r.expiry(), nil
}

// current is the record whose access token Token returns.
func (s *Source) current(ctx context.Context) (*record, error) {
	r, err := s.read()
	if err != nil {
		return nil, err
	}
	if s.seedNew(r) {
		fl, err := lock(ctx, s.Path, s.timeout())
		if err != nil {
			return nil, s.inSection(err)
		}
		r, err = s.readSeeded()
		unlock(fl)
		if err != nil {
			return nil, err
		}
	}
	if err := s.check(r); err != nil {
		return nil, err
	}
	if r.validAt(s.now()) {
		return r, nil
	}
	return s.refresh(ctx, r.AccessToken)
}

// refresh replaces the access token replaced, under the file's lock (the
// package doc): a valid token another process stored is taken as it is;
// else one request to the provider, whose answer is written before the
// lock is released.
func (s *Source) refresh(ctx context.Context, replaced string) (*record, error) {
	fl, err := lock(ctx, s.Path, s.timeout())
	if err != nil {
		return nil, s.inSection(err)
	}
	defer unlock(fl)
	r, err := s.readSeeded()
	if err != nil {
		return nil, err
	}
	if err := s.check(r); err != nil {
		return nil, err
	}
	if r.AccessToken != replaced && r.validAt(s.now()) {
		return r, nil // another process refreshed meanwhile
	}
	if r.RefreshToken == "" {
		return nil, mapi.Errorf(mapi.LogonFailed, "the OAuth 2.0 access token of section %s expired, and there is no refresh token", s.Section).
			WithHint(signInHint(s.Section))
	}
	f := failure{
		what:    fmt.Sprintf("cannot refresh the OAuth 2.0 token of section %s", s.Section),
		again:   signInHint(s.Section),
		secrets: []string{r.RefreshToken, r.AccessToken, replaced, s.Settings.ClientSecret},
	}
	e, err := s.endpoints(ctx)
	if err != nil {
		return nil, s.inSection(err)
	}
	rctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	rctx = withClient(rctx, httpClient(s.HTTP, s.timeout()))
	// One request, explicitly: a fresh refresher for this refresh token,
	// asked once. Never a cached TokenSource (it would keep a refresh
	// token this process no longer owns).
	tok, err := config(s.Settings, e, "").TokenSource(rctx, &oauth2.Token{RefreshToken: r.RefreshToken}).Token()
	if err != nil {
		return nil, f.classify(ctx, err)
	}
	n := &record{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType,
		Binding: r.Binding, Seed: r.Seed}
	if n.RefreshToken == "" {
		n.RefreshToken = r.RefreshToken // the provider keeps the old one valid
	}
	n.setExpiry(expiryOf(tok, s.now()))
	if err := writeFile(s.Path, n, s.Recipients); err != nil {
		return nil, mapi.AsError(err).WithHint(fmt.Sprintf("the refreshed tokens of section %s could not be saved; if the next refresh fails, run `mapictl credential oauth2 %s`", s.Section, s.Section))
	}
	return n, nil
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

// read is readFile for this section.
func (s *Source) read() (*record, error) {
	r, err := readFile(s.Path, s.Identities)
	if err != nil {
		e := s.inSection(err)
		if e.Code == mapi.NoAccess {
			e.WithHint(fmt.Sprintf("the token file is sealed to other keys; log on again, or run `mapictl credential oauth2 %s`", s.Section))
		}
		return nil, e
	}
	return r, nil
}

// seedNew reports whether the Seed should replace r: there is a seed and r
// (nil: no file) did not start from it.
func (s *Source) seedNew(r *record) bool {
	d := s.Seed.Digest()
	return d != "" && (r == nil || r.Seed != d)
}

// readSeeded re-reads the file and seeds it when the Seed is new to it.
// Call it holding the lock.
func (s *Source) readSeeded() (*record, error) {
	r, err := s.read()
	if err != nil || !s.seedNew(r) {
		return r, err
	}
	n := &record{AccessToken: s.Seed.AccessToken, RefreshToken: s.Seed.RefreshToken, TokenType: "Bearer",
		Binding: s.Binding, Seed: s.Seed.Digest()}
	n.setExpiry(s.Seed.Expiry)
	if err := writeFile(s.Path, n, s.Recipients); err != nil {
		return nil, s.inSection(err)
	}
	return n, nil
}

// check refuses a missing file (78) and one bound to other settings (77).
func (s *Source) check(r *record) error {
	if r == nil {
		return mapi.Errorf(mapi.Unconfigured, "no OAuth 2.0 tokens for section %s", s.Section).
			WithHint(fmt.Sprintf("run `mapictl credential oauth2 %s` to sign in", s.Section))
	}
	if r.Binding != s.Binding {
		return mapi.Errorf(mapi.NoAccess, "the OAuth 2.0 settings or servers of %s changed since its tokens were issued", s.Section).
			WithHint(fmt.Sprintf("run `mapictl credential oauth2 %s` to sign in for the new settings", s.Section))
	}
	return nil
}

// endpoints resolves Settings, at each refresh (at most one discovery
// request, for a custom issuer): a Source stays a plain value.
func (s *Source) endpoints(ctx context.Context) (Endpoints, error) {
	return s.Settings.Resolve(ctx, httpClient(s.HTTP, s.timeout()))
}

// inSection is err (a *mapi.Error) with the section named in front.
func (s *Source) inSection(err error) *mapi.Error {
	me := mapi.AsError(err)
	c := *me
	c.Msg = fmt.Sprintf("section %s: %s", s.Section, me.Msg)
	c.Hints = slices.Clone(me.Hints)
	c.Err = me
	return &c
}
