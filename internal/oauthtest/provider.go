package oauthtest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// The provider's fixed names (see the package doc).
const (
	ClientID             = "mapictl"
	ResourceClientID     = "dovecot"
	ResourceClientSecret = "dovecot-secret"
	User                 = "dana"
	Password             = "dana-test-password"
	Email                = "dana@corp.example"
)

const (
	loginPath  = "/login"
	devicePath = "/device"
)

type config struct {
	lifetime time.Duration
	interval time.Duration
	secret   string
	control  bool
	keepUsed bool
	delay    time.Duration
}

// Option configures a Provider.
type Option func(*config)

// AccessTokenLifetime sets how long access tokens live (default 1h): the
// token answer's expires_in, and what userinfo and introspection enforce.
func AccessTokenLifetime(d time.Duration) Option { return func(c *config) { c.lifetime = d } }

// ClientSecret makes ClientID confidential with this secret
// (client_secret_basic or client_secret_post) instead of public.
func ClientSecret(secret string) Option { return func(c *config) { c.secret = secret } }

// DevicePollInterval sets the device flow's interval (default 1 s; the
// answer carries whole seconds, at least 1).
func DevicePollInterval(d time.Duration) Option { return func(c *config) { c.interval = d } }

// KeepUsedRefreshTokens makes a used refresh token stay valid after a
// refresh (a new one is still issued), as Microsoft's and Google's do:
// the providers on which one seed serves many CI jobs (SPEC §8). Without
// it, refresh tokens rotate strictly and a used one is reuse.
func KeepUsedRefreshTokens() Option { return func(c *config) { c.keepUsed = true } }

// TokenDelay makes the token endpoint hold its answer to a refresh_token
// grant for d after serving it: the refresh token is already rotated (and
// the new tokens issued) when a client that gives up meanwhile stops
// waiting, as with a slow network or a provider slow to answer.
func TokenDelay(d time.Duration) Option { return func(c *config) { c.delay = d } }

// ControlEndpoints serves /test/... (package doc) for shell scripts.
func ControlEndpoints() Option { return func(c *config) { c.control = true } }

// Provider is a running OpenID provider on loopback.
type Provider struct {
	Issuer                string // http://127.0.0.1:PORT
	ClientID              string // ClientID
	User, Password, Email string // the one user

	op    *op.Provider
	store *store
	web   *http.Client // no redirects followed

	mu   sync.Mutex
	down bool
	junk string
}

// New starts a Provider on 127.0.0.1 for the test; it closes at t.Cleanup.
func New(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	p, stop, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("oauthtest: %v", err)
	}
	t.Cleanup(func() { _ = stop() })
	return p
}

// Start starts a Provider listening on addr ("127.0.0.1:0" picks a port);
// the issuer is http://ADDR (127.0.0.1 if addr's host is unspecified).
// stop closes it.
func Start(addr string, opts ...Option) (p *Provider, stop func() error, err error) {
	c := &config{lifetime: time.Hour, interval: time.Second}
	for _, o := range opts {
		o(c)
	}
	if c.lifetime <= 0 || c.interval <= 0 {
		return nil, nil, errors.New("lifetimes and intervals must be positive")
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	ta := l.Addr().(*net.TCPAddr)
	host := ta.IP.String()
	if ta.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	p = &Provider{
		Issuer:   "http://" + net.JoinHostPort(host, fmt.Sprint(ta.Port)),
		ClientID: ClientID,
		User:     User,
		Password: Password,
		Email:    Email,
		store:    newStore(c),
		web: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	var key [32]byte
	_, _ = rand.Read(key[:])
	interval := max(c.interval.Round(time.Second), time.Second)
	p.op, err = op.NewProvider(&op.Config{
		CryptoKey:             key,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedUILocales:    []language.Tag{language.English},
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     5 * time.Minute,
			PollInterval: interval,
			UserFormPath: devicePath,
			UserCode:     op.UserCodeBase20,
		},
	}, p.store, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		l.Close()
		return nil, nil, err
	}
	srv := &http.Server{Handler: p.handler(c), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return p, srv.Close, nil
}

// handler routes the login and device pages to us, the rest to the op,
// through the token endpoint's faults.
func (p *Provider) handler(c *config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(loginPath, op.NewIssuerInterceptor(p.op.IssuerFromRequest).HandlerFunc(p.loginPage))
	mux.HandleFunc(devicePath, p.devicePage)
	if c.control {
		p.controlRoutes(mux)
	}
	mux.Handle("/", p.op)
	token := p.op.TokenEndpoint().Relative()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == token && p.fault(w) {
			return
		}
		if r.URL.Path == token && c.delay > 0 && r.FormValue("grant_type") == "refresh_token" {
			delayed(w, r, mux, c.delay)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// delayed serves r with h, then holds the answer for d before sending it.
func delayed(w http.ResponseWriter, r *http.Request, h http.Handler, d time.Duration) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	time.Sleep(d)
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// fault answers a token request the broken way SetDown/SetJunk asked for,
// and reports whether it did.
func (p *Provider) fault(w http.ResponseWriter) bool {
	p.mu.Lock()
	down, junk := p.down, p.junk
	p.mu.Unlock()
	switch {
	case down:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	case junk == "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Sign in</h1><p>Our service is being upgraded.</p></body></html>\n")
	case junk == "garbage":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "{\"access_token\": \"\x00\xff not json")
	case junk == "close":
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	default:
		return false
	}
	return true
}

// SetDown makes the token endpoint answer 503 (true) or work again.
func (p *Provider) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// SetJunk makes the token endpoint answer "html" (200, an HTML page),
// "garbage" (200 application/json that is not JSON) or "close" (the
// connection closed without an answer); "" makes it work again.
func (p *Provider) SetJunk(kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.junk = kind
}

// RevokeAll revokes every grant issued so far, as the user would in the
// provider's account page: every access and refresh token stops working.
func (p *Provider) RevokeAll() { p.store.revokeAll() }

// RefreshCount is the number of refresh_token grants served (new tokens
// returned).
func (p *Provider) RefreshCount() int { n, _ := p.store.counts(); return n }

// ReuseCount is the number of times a rotated-out refresh token was
// presented again.
func (p *Provider) ReuseCount() int { _, n := p.store.counts(); return n }

// TokenURL and the others are the op's endpoints.
func (p *Provider) TokenURL() string { return p.op.TokenEndpoint().Absolute(p.Issuer) }

// DeviceURL is the device authorization endpoint (RFC 8628 §3.1).
func (p *Provider) DeviceURL() string { return p.op.DeviceAuthorizationEndpoint().Absolute(p.Issuer) }

// AuthURL is the authorization endpoint.
func (p *Provider) AuthURL() string { return p.op.AuthorizationEndpoint().Absolute(p.Issuer) }

// UserinfoURL is the userinfo endpoint (Bearer token).
func (p *Provider) UserinfoURL() string { return p.op.UserinfoEndpoint().Absolute(p.Issuer) }

// IntrospectionURL is the introspection endpoint (RFC 7662), for
// ResourceClientID with ResourceClientSecret.
func (p *Provider) IntrospectionURL() string { return p.op.IntrospectionEndpoint().Absolute(p.Issuer) }
