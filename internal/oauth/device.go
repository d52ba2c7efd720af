package oauth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
)

// DeviceCode is what the user is shown to sign in on another device.
type DeviceCode struct {
	VerificationURI         string    // where to go
	VerificationURIComplete string    // the same with the code in it; "" if the provider has none
	UserCode                string    // what to type there
	Expires                 time.Time // when the code expires; zero if unknown
}

// Device runs the device authorization grant (RFC 8628) through hc (nil: a
// default client): show is called once with the code, then the token
// endpoint is polled, honouring the interval and slow_down, until the user
// signed in, declined, the code expired, or ctx ended: ctx's deadline is
// the dialog's (Device adds none beyond one request's timeout). Errors: 78
// (the provider has no device endpoint), 130 MAPI_E_USER_CANCEL (ctx
// cancelled), 77 (ctx's deadline passed; access_denied, expired_token, the
// client or scope refused), 75 (the provider cannot be reached or answers
// junk). Error text never holds the device code or a token.
func Device(ctx context.Context, s Settings, e Endpoints, hc *http.Client, show func(DeviceCode)) (*oauth2.Token, error) {
	if e.DeviceURL == "" {
		return nil, mapi.Errorf(mapi.Unconfigured, "the OAuth 2.0 provider has no device authorization endpoint").
			WithHint("sign in with --browser, or set oauth2.device-url")
	}
	f := failure{what: "OAuth 2.0 device sign-in", secrets: []string{s.ClientSecret}}
	cfg := config(s, e, "")
	cctx := withClient(ctx, httpClient(hc, defaultTimeout))
	actx, cancel := context.WithTimeout(cctx, defaultTimeout)
	da, err := cfg.DeviceAuth(actx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ended(ctx, f.what, "asking for a device code")
		}
		me := f.classify(ctx, err)
		var re *oauth2.RetrieveError
		if s.Provider == "google" && errors.As(err, &re) && re.ErrorCode == "invalid_scope" {
			me.WithHint("Google's device flow does not grant Gmail's scope: use --browser")
		}
		return nil, me
	}
	if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return nil, mapi.Errorf(mapi.NetworkError, "%s: the provider's answer is not a device authorization response", f.what).WithExit(75)
	}
	f.secrets = append(f.secrets, da.DeviceCode)
	show(DeviceCode{
		VerificationURI:         da.VerificationURI,
		VerificationURIComplete: da.VerificationURIComplete,
		UserCode:                da.UserCode,
		Expires:                 da.Expiry,
	})
	tok, err := cfg.DeviceAccessToken(cctx, da)
	if err == nil {
		return tok, nil
	}
	if ctx.Err() != nil {
		return nil, ended(ctx, f.what, "waiting for the sign-in")
	}
	if errors.Is(err, context.DeadlineExceeded) && !da.Expiry.IsZero() && !time.Now().Before(da.Expiry) {
		return nil, mapi.Errorf(mapi.LogonFailed, "%s: the code expired before the sign-in was completed", f.what).
			WithHint("run the command again and sign in within the time shown")
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "access_denied":
			return nil, mapi.Errorf(mapi.LogonFailed, "%s: the sign-in was declined (access_denied)", f.what)
		case "expired_token":
			return nil, mapi.Errorf(mapi.LogonFailed, "%s: the code expired before the sign-in was completed (expired_token)", f.what).
				WithHint("run the command again and sign in within the time shown")
		}
	}
	return nil, f.classify(ctx, err)
}
