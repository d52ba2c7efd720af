package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
	"github.com/mapictl/mapictl/internal/tlsconf"
)

// Settings are a section's oauth2.* settings (SPEC §8) and its client secret.
type Settings struct {
	Provider                     string   // "microsoft", "google", "custom"
	ClientID                     string   // the application registered with the provider
	Tenant                       string   // microsoft; "" = "common"
	Issuer                       string   // custom: discovery
	AuthURL, TokenURL, DeviceURL string   // custom: explicit (each overrides discovery)
	Scopes                       []string // nil = the provider's default (SMTP, IMAP, POP3, offline access)
	ClientSecret                 string   // secret; "" for a public client
}

// Configured reports whether the section uses OAuth 2.0 (a provider is set).
func (s Settings) Configured() bool { return s.Provider != "" }

// Endpoints are a Settings resolved: where to send the user, the code or
// refresh token, and the device request; the scopes to ask for.
type Endpoints struct {
	AuthURL, TokenURL, DeviceURL string // "" where the provider has none
	Scopes                       []string
	// BasicAuth: a client secret goes in HTTP Basic (RFC 6749 §2.3.1), not
	// in the form: custom providers, unless their discovery document lists
	// methods without client_secret_basic. Microsoft and Google take the
	// form. A public client sends its id in the form and no secret.
	BasicAuth bool
}

// The known providers' scopes: SMTP, IMAP and POP3 for the mail of the
// signed-in user, and a refresh token.
var (
	microsoftScopes = []string{
		"https://outlook.office.com/SMTP.Send",
		"https://outlook.office.com/IMAP.AccessAsUser.All",
		"https://outlook.office.com/POP.AccessAsUser.All",
		"offline_access",
	}
	googleScopes = []string{"https://mail.google.com/"}
	// customScopes are a custom provider's default: an OpenID Connect
	// sign-in with a refresh token. Mail servers usually want more: set
	// oauth2.scopes.
	customScopes = []string{"openid", "offline_access"}
)

// tenantRE is what a Microsoft tenant may be: common, organizations,
// consumers, a GUID or a domain name. It lands in a URL path.
// Compiled on first use: at package init it cost every mapictl run ~3 ms
// (GODEBUG=inittrace=1), 15% of `mapictl version`.
var tenantRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$`) })

// Resolve returns the endpoints of s: microsoft (tenant, default "common")
// and google are known; custom takes its explicit URLs and the rest by
// discovery at Issuer (/.well-known/openid-configuration, else RFC 8414's
// /.well-known/oauth-authorization-server), through hc (nil: a default
// client). Every URL must pass tlsconf.CheckHTTPS (https, or http to a
// literal loopback IP).
// Errors: 78 MAPI_E_UNCONFIGURED (no client id; custom with neither issuer
// nor token URL; an unknown provider), 64 (a bad URL or tenant, an issuer
// without a discovery document or whose document names no issuer or
// another one), 75 (discovery unreachable, not answering a document, or
// not within ctx's deadline: 30 s when ctx has none), 130 (ctx cancelled).
func (s Settings) Resolve(ctx context.Context, hc *http.Client) (Endpoints, error) {
	if !s.Configured() {
		return Endpoints{}, mapi.Errorf(mapi.Unconfigured, "no OAuth 2.0 provider is set (oauth2.provider)")
	}
	if s.ClientID == "" {
		return Endpoints{}, mapi.Errorf(mapi.Unconfigured, "no OAuth 2.0 client id is set (oauth2.client-id)").
			WithHint("register an application with the provider and set oauth2.client-id (docs/oauth2.md)")
	}
	var e Endpoints
	switch s.Provider {
	case "microsoft":
		tenant := s.Tenant
		if tenant == "" {
			tenant = "common"
		}
		if !tenantRE().MatchString(tenant) {
			return Endpoints{}, mapi.Errorf(mapi.InvalidParameter, "oauth2.tenant %q is not a tenant name or id", textsafe.Escape(tenant))
		}
		base := "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/"
		e = Endpoints{AuthURL: base + "authorize", TokenURL: base + "token", DeviceURL: base + "devicecode", Scopes: microsoftScopes}
	case "google":
		e = Endpoints{
			AuthURL:   "https://accounts.google.com/o/oauth2/auth",
			TokenURL:  "https://oauth2.googleapis.com/token",
			DeviceURL: "https://oauth2.googleapis.com/device/code",
			Scopes:    googleScopes,
		}
	case "custom":
		var err error
		if e, err = s.resolveCustom(ctx, hc); err != nil {
			return Endpoints{}, err
		}
	default:
		return Endpoints{}, mapi.Errorf(mapi.Unconfigured, "unknown OAuth 2.0 provider %q (oauth2.provider)", textsafe.Escape(s.Provider)).
			WithHint("use microsoft, google or custom")
	}
	if s.Scopes != nil {
		e.Scopes = s.Scopes
	}
	e.Scopes = slices.Clone(e.Scopes)
	for name, u := range map[string]string{"authorization": e.AuthURL, "token": e.TokenURL, "device authorization": e.DeviceURL} {
		if u == "" {
			continue
		}
		if err := tlsconf.CheckHTTPS(u); err != nil {
			return Endpoints{}, mapi.Errorf(mapi.InvalidParameter, "the OAuth 2.0 %s endpoint: %v", name, err)
		}
	}
	return e, nil
}

// resolveCustom is Resolve for provider custom.
func (s Settings) resolveCustom(ctx context.Context, hc *http.Client) (Endpoints, error) {
	// A client secret goes in HTTP Basic, which every server must take
	// (RFC 6749 §2.3.1), unless discovery says otherwise.
	e := Endpoints{AuthURL: s.AuthURL, TokenURL: s.TokenURL, DeviceURL: s.DeviceURL, Scopes: customScopes, BasicAuth: true}
	if s.Issuer == "" {
		if s.TokenURL == "" {
			return Endpoints{}, mapi.Errorf(mapi.Unconfigured, "OAuth 2.0 provider custom needs oauth2.issuer or oauth2.token-url")
		}
		return e, nil
	}
	if err := tlsconf.CheckHTTPS(s.Issuer); err != nil {
		return Endpoints{}, mapi.Errorf(mapi.InvalidParameter, "oauth2.issuer: %v", err)
	}
	if e.AuthURL != "" && e.TokenURL != "" && e.DeviceURL != "" {
		return e, nil // nothing left to discover
	}
	d, err := discover(ctx, hc, s.Issuer)
	if err != nil {
		return Endpoints{}, err
	}
	if e.AuthURL == "" {
		e.AuthURL = d.AuthURL
	}
	if e.TokenURL == "" {
		e.TokenURL = d.TokenURL
	}
	if e.DeviceURL == "" {
		e.DeviceURL = d.DeviceURL
	}
	if e.TokenURL == "" {
		return Endpoints{}, mapi.Errorf(mapi.Unconfigured, "the OAuth 2.0 issuer %s names no token endpoint", s.Issuer).
			WithHint("set oauth2.token-url")
	}
	// Basic unless the provider lists its methods without it (RFC 8414 §2:
	// client_secret_basic when the list is omitted).
	e.BasicAuth = len(d.AuthMethods) == 0 || slices.Contains(d.AuthMethods, "client_secret_basic")
	return e, nil
}

// document is what discovery reads of a provider's metadata.
type document struct {
	Issuer      string   `json:"issuer"`
	AuthURL     string   `json:"authorization_endpoint"`
	TokenURL    string   `json:"token_endpoint"`
	DeviceURL   string   `json:"device_authorization_endpoint"`
	AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
}

// errNoDocument is a discovery URL that answered 404 or 410.
var errNoDocument = errors.New("no document")

// discover reads issuer's metadata: OpenID Connect Discovery, else RFC 8414.
// It ends when ctx does, or after defaultTimeout when ctx has no deadline
// (a Source gives it one of its Timeout).
func discover(ctx context.Context, hc *http.Client, issuer string) (*document, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	c := httpClient(hc, defaultTimeout)
	base := strings.TrimRight(issuer, "/")
	u, _ := url.Parse(base) // CheckHTTPS parsed it
	rfc8414 := u.Scheme + "://" + u.Host + "/.well-known/oauth-authorization-server" + u.Path
	var last error
	for _, du := range []string{base + "/.well-known/openid-configuration", rfc8414} {
		d, err := fetchDocument(ctx, c, du)
		if err == nil {
			// RFC 8414 §3.3, OpenID Connect Discovery §4.3: the document
			// names the issuer it was fetched for, or it is not used.
			if d.Issuer == "" {
				return nil, mapi.Errorf(mapi.InvalidParameter, "the discovery document of %s names no issuer", issuer).
					WithHint("set oauth2.auth-url, oauth2.token-url and oauth2.device-url instead of oauth2.issuer")
			}
			if strings.TrimRight(d.Issuer, "/") != base {
				return nil, mapi.Errorf(mapi.InvalidParameter, "the discovery document of %s names another issuer, %s", issuer, textsafe.Escape(d.Issuer)).
					WithHint("set oauth2.issuer to the provider's issuer exactly")
			}
			return d, nil
		}
		if !errors.Is(err, errNoDocument) {
			if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
				return nil, mapi.Wrap(mapi.UserCancel, ctx.Err(), "OAuth 2.0 discovery interrupted")
			}
			return nil, mapi.Errorf(mapi.NetworkError, "OAuth 2.0 discovery at %s: %v", issuer, err).WithExit(75)
		}
		last = err
	}
	return nil, mapi.Wrap(mapi.InvalidParameter, last, fmt.Sprintf("OAuth 2.0 discovery at %s found no metadata", issuer)).
		WithHint("check oauth2.issuer, or set oauth2.auth-url, oauth2.token-url and oauth2.device-url")
}

// fetchDocument GETs one metadata URL. A 404 or 410 is errNoDocument;
// anything but a 200 with a JSON object naming a token endpoint is an
// error whose text holds no body.
func fetchDocument(ctx context.Context, c *http.Client, du string) (*document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, du, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, netCause(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, netCause(err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("%w (HTTP %d)", errNoDocument, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var d document
	if err := json.Unmarshal(body, &d); err != nil || d.TokenURL == "" && d.AuthURL == "" {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return nil, fmt.Errorf("the answer is not a metadata document (%s)", textsafe.Escape(ct))
	}
	return &d, nil
}
