package oauth

import (
	"context"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// defaultTimeout is one request to the provider, and the longest lock wait,
// when Source.Timeout is zero (and the timeout of the default client).
const defaultTimeout = 30 * time.Second

// httpClient returns the client for requests to the provider: hc (a copy)
// or a default one with timeout, refusing redirects either way. A redirect
// of a token request would replay its body (the refresh token, the code and
// verifier) to wherever the Location points, https or not; a provider's
// endpoints answer where they are.
func httpClient(hc *http.Client, timeout time.Duration) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		if timeout <= 0 {
			timeout = defaultTimeout
		}
		c.Timeout = timeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// withClient is ctx carrying c for x/oauth2.
func withClient(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

// config is the x/oauth2 configuration of s at e. The client
// authentication style is always explicit: x/oauth2's default probes
// (Basic first, then the form on any error), which would present a refresh
// token or code twice.
func config(s Settings, e Endpoints, redirect string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if e.BasicAuth && s.ClientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:       e.AuthURL,
			TokenURL:      e.TokenURL,
			DeviceAuthURL: e.DeviceURL,
			AuthStyle:     style,
		},
		RedirectURL: redirect,
		Scopes:      e.Scopes,
	}
}
