package oauth

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"filippo.io/age"

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
	// Recipients returns who the file is sealed to now (identity.pub and
	// the unexpired sessions' that may read the section). It is called
	// holding the file's lock before every write, so a logoff or clean-up
	// that re-seals the file meanwhile is never undone; and, without the
	// lock, whenever Token opens the file, to compare with the recipients
	// the file records (the package doc). Required.
	Recipients func() ([]string, error)
	HTTP       *http.Client // nil: a default client
	// Timeout bounds the discovery of the provider's endpoints, one request
	// to the provider, and the longest wait for the file's lock; 0 = 30 s.
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
// within a minute (by Now) is refreshed first, under the file's lock. A
// Seed new to the file (or with no file) is used first: one with a refresh
// token is presented to the provider and its answer written as the file;
// one with an access token only is used while it is valid, from memory.
// When the file's recorded recipients hold one that Recipients no longer
// returns, the file is re-sealed first. Errors (all *mapi.Error): 78 no
// file and no seed; 77 the file's binding is not Binding, its token URL is
// not the one resolved now, it is sealed to other keys, it holds no
// refresh token for an expired access token, the provider refused the
// grant or client; 75 the provider cannot be reached or answers junk, or
// the lock is held too long; 130 ctx cancelled; 64 (Settings), 65, 74
// (also when the provider's answer could not be written: the error says
// whether the provider rotated the refresh token). A failed call leaves
// the file as it was, except a refresh whose request was sent before ctx
// was cancelled: it waits for the answer (up to Timeout), writes it, and
// returns 130.
func (s *Source) Token(ctx context.Context) (string, error) {
	r, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	return r.AccessToken, nil
}

// Refresh returns a new access token after a server refused refused: the
// one another process stored meanwhile (or the Seed's) if it differs from
// refused and is valid for more than a minute, else one refreshed from the
// provider. Errors as Token.
func (s *Source) Refresh(ctx context.Context, refused string) (string, error) {
	r, err := s.replace(ctx, refused)
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
	if m := s.seedAccess(r); m != nil && m.validAt(s.now()) {
		return m, nil
	}
	if s.seedRefresh(r) {
		return s.renew(ctx, "", "expired")
	}
	if err := s.check(r); err != nil {
		return nil, err
	}
	if r, err = s.heal(ctx, r); err != nil {
		return nil, err
	}
	if r.validAt(s.now()) {
		return r, nil
	}
	if r.RefreshToken == "" {
		return nil, s.noRefreshToken("expired")
	}
	return s.renew(ctx, r.AccessToken, "expired")
}

// replace is the record whose access token Refresh returns.
func (s *Source) replace(ctx context.Context, refused string) (*record, error) {
	r, err := s.read()
	if err != nil {
		return nil, err
	}
	if m := s.seedAccess(r); m != nil && m.AccessToken != refused && m.validAt(s.now()) {
		return m, nil
	}
	if s.seedRefresh(r) {
		return s.renew(ctx, refused, "was refused")
	}
	if err := s.check(r); err != nil {
		return nil, err
	}
	if r.AccessToken != refused && r.validAt(s.now()) {
		return r, nil // another process refreshed meanwhile
	}
	if r.RefreshToken == "" {
		return nil, s.noRefreshToken("was refused")
	}
	return s.renew(ctx, refused, "was refused")
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

// check refuses a missing file (78; 77 when the Seed's access token is
// all there is) and one bound to other settings (77).
func (s *Source) check(r *record) error {
	if r == nil {
		if s.Seed.AccessToken != "" && s.Seed.RefreshToken == "" {
			return s.noRefreshToken("from the secure range (oauth2-token) can no longer be used")
		}
		return mapi.Errorf(mapi.Unconfigured, "no OAuth 2.0 tokens for section %s", s.Section).
			WithHint(fmt.Sprintf("run `mapictl credential oauth2 %s` to sign in", s.Section))
	}
	if r.Binding != s.Binding {
		return mapi.Errorf(mapi.NoAccess, "the OAuth 2.0 settings or servers of %s changed since its tokens were issued", s.Section).
			WithHint(fmt.Sprintf("run `mapictl credential oauth2 %s` to sign in for the new settings", s.Section))
	}
	return nil
}

// noRefreshToken is the error of an access token that cannot be used (why:
// "expired", "was refused") with no refresh token to replace it.
func (s *Source) noRefreshToken(why string) *mapi.Error {
	return mapi.Errorf(mapi.LogonFailed, "the OAuth 2.0 access token of section %s %s, and there is no refresh token: sign in again", s.Section, why).
		WithHint(signInHint(s.Section))
}

// recipients is Recipients(), which must name someone (70).
func (s *Source) recipients() ([]string, error) {
	rs, err := askRecipients(s.Recipients)
	if err != nil {
		return nil, s.inSection(err)
	}
	return rs, nil
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
