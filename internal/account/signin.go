package account

import (
	"context"
	"errors"
	"net/http"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/session"
)

// SignInOptions are the inputs of [SignIn].
type SignInOptions struct {
	StoreRoot string
	// IDs open the section's secure range (its client secret and seed) and
	// the token files; a reader of a shared section has enough.
	IDs []age.Identity
	// Browser picks the authorization code grant with PKCE and a loopback
	// redirect (Open is given the URL); else the device grant (Show is
	// given the code).
	Browser bool
	Show    func(oauth.DeviceCode)
	Open    func(authURL string)
	// HTTP talks to the provider; nil is a default client.
	HTTP *http.Client
	Now  time.Time
	// Deadline bounds the dialog (the wait for the user); 0 is
	// [DefaultSignInDeadline]. The device grant also ends when its code
	// expires.
	Deadline time.Duration
}

// DefaultSignInDeadline is how long `credential oauth2` waits for the user
// to sign in.
const DefaultSignInDeadline = 15 * time.Minute

// SignInResult is a successful sign-in.
type SignInResult struct {
	// User is the SASL user name the tokens are presented with: the
	// section's username (inbound.username for an inbound-only section),
	// else its email.
	User string
	// Path is the token file written.
	Path string
}

// SignIn is the logon dialog of `credential oauth2` (SPEC §8) for a, a
// section read from its profile (ProfileUID set): the provider's endpoints
// resolved, the device or browser grant run, and the tokens written as a's
// token file (oauth.Save) with a's binding, the digest of the secure
// range's current seed (so that an older seed does not replace them), the
// token endpoint that issued them (a refresh refuses another), the seeds
// the old file recorded (opened with o.IDs: an older seed never replaces
// them) and sealed to [TokenRecipients], computed under the file's lock. It reads the profile and never writes it.
// The dialog ends after o.Deadline: MAPI_E_LOGON_FAILED (77) "sign-in not
// completed", and no file written. Errors: MAPI_E_UNCONFIGURED (78) for a
// section without oauth2.provider; those of reading the secure range (77),
// of oauth.Settings.Resolve, of the grant (130 when ctx ends, 77 when
// refused or past the deadline) and of oauth.Save.
func SignIn(ctx context.Context, a *Account, o SignInOptions) (SignInResult, error) {
	if !a.IsOAuth2() {
		return SignInResult{}, mapi.Errorf(mapi.Unconfigured, "section %q does not log on with OAuth 2.0 (no oauth2.provider)", a.Name).
			WithHint("set it up: mapictl section set " + a.Name + " oauth2.provider=microsoft oauth2.client-id=APP-ID")
	}
	if a.ProfileUID == "" {
		return SignInResult{}, mapi.Errorf(mapi.CallFailed, "section %q: no profile uid", a.Name)
	}
	creds, err := a.StoredCredentials(o.IDs)
	if err != nil && !mapi.IsCode(err, mapi.NotFound) {
		return SignInResult{}, err
	}
	st := a.oauthSettings(creds)
	eps, err := st.Resolve(ctx, o.HTTP)
	if err != nil {
		return SignInResult{}, err
	}
	tok, err := signInDialog(ctx, st, eps, o)
	if err != nil {
		return SignInResult{}, err
	}
	var expired []session.Meta
	recipients := func() ([]string, error) { // called by Save under the file's lock
		rs, exp, err := tokenRecipients(o.StoreRoot, a.ProfileUID, a.UID, o.IDs, nil, o.Now)
		expired = append(expired, exp...)
		return rs, err
	}
	path := a.TokenPath(o.StoreRoot)
	if err := oauth.Save(ctx, path, tok, a.TokenBinding(), seedOf(creds).Digest(), eps.TokenURL, o.IDs, recipients); err != nil {
		return SignInResult{}, err
	}
	_ = ResealExpired(ctx, o.StoreRoot, expired, o.IDs, o.Now) // best effort
	user := a.SASLUser(creds)
	if a.Transport == "none" {
		user = a.SASLUser(creds.Inbound())
	}
	return SignInResult{User: user, Path: path}, nil
}

// signInDialog runs the grant o picks, within o.Deadline: past it (ctx
// itself still running) whatever the grant returned becomes 77 "sign-in
// not completed".
func signInDialog(ctx context.Context, st oauth.Settings, eps oauth.Endpoints, o SignInOptions) (*oauth2.Token, error) {
	d := o.Deadline
	if d <= 0 {
		d = DefaultSignInDeadline
	}
	dctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var tok *oauth2.Token
	var err error
	if o.Browser {
		tok, err = oauth.Browser(dctx, st, eps, o.HTTP, o.Open)
	} else {
		tok, err = oauth.Device(dctx, st, eps, o.HTTP, o.Show)
	}
	if err != nil && ctx.Err() == nil && errors.Is(dctx.Err(), context.DeadlineExceeded) {
		return nil, mapi.Errorf(mapi.LogonFailed, "sign-in not completed within %s", d).
			WithHint("run the command again and complete the sign-in within the time")
	}
	return tok, err
}
