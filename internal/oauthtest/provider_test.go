package oauthtest

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

var scopes = []string{"openid", "email", "offline_access"}

func conf(p *Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID,
		Endpoint: oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL(), DeviceAuthURL: p.DeviceURL(),
			AuthStyle: oauth2.AuthStyleInParams},
		Scopes: scopes,
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// deviceToken runs the device flow to its token.
func deviceToken(t *testing.T, p *Provider, c *oauth2.Config) *oauth2.Token {
	t.Helper()
	da, err := c.DeviceAuth(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ApproveDevice(da.UserCode); err != nil {
		t.Fatal(err)
	}
	tok, err := c.DeviceAccessToken(ctx(t), da)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// refresh presents a refresh token once (no caching TokenSource).
func refresh(t *testing.T, c *oauth2.Config, rt string) (*oauth2.Token, error) {
	t.Helper()
	return c.TokenSource(ctx(t), &oauth2.Token{RefreshToken: rt}).Token()
}

func errorCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	p := New(t)
	if !strings.HasPrefix(p.Issuer, "http://127.0.0.1:") {
		t.Fatalf("issuer %q", p.Issuer)
	}
	resp, err := http.Get(p.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Issuer        string   `json:"issuer"`
		Auth          string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		Device        string   `json:"device_authorization_endpoint"`
		Userinfo      string   `json:"userinfo_endpoint"`
		Introspection string   `json:"introspection_endpoint"`
		Grants        []string `json:"grant_types_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"issuer": {d.Issuer, p.Issuer}, "authorization": {d.Auth, p.AuthURL()}, "token": {d.Token, p.TokenURL()},
		"device": {d.Device, p.DeviceURL()}, "userinfo": {d.Userinfo, p.UserinfoURL()},
		"introspection": {d.Introspection, p.IntrospectionURL()},
	}
	for name, v := range want {
		if v[0] == "" || v[0] != v[1] {
			t.Errorf("%s: discovery %q, provider %q", name, v[0], v[1])
		}
	}
	for _, g := range []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"} {
		if !strings.Contains(strings.Join(d.Grants, " "), g) {
			t.Errorf("grant_types_supported %v lacks %s", d.Grants, g)
		}
	}
	if !strings.Contains(strings.Join(d.PKCE, " "), "S256") {
		t.Errorf("code_challenge_methods_supported %v lacks S256", d.PKCE)
	}
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	tok := deviceToken(t, p, c)
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token without access or refresh token: %+v", tok.Type())
	}
	if email, ok := p.Validate(tok.AccessToken); !ok || email != p.Email {
		t.Fatalf("Validate = %q, %v; want %q, true", email, ok, p.Email)
	}
	if _, ok := p.Validate(tok.AccessToken + "x"); ok {
		t.Fatal("Validate accepts a mangled token")
	}
	// A code is used once.
	if err := p.ApproveDevice("NOSUCHCODE"); err == nil {
		t.Fatal("ApproveDevice of an unknown code succeeded")
	}
}

func TestDeviceDeny(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	da, err := c.DeviceAuth(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.DenyDevice(da.UserCode); err != nil {
		t.Fatal(err)
	}
	if err := p.ApproveDevice(da.UserCode); err == nil {
		t.Fatal("a denied code could still be approved")
	}
	_, err = c.DeviceAccessToken(ctx(t), da)
	if errorCode(err) != "access_denied" {
		t.Fatalf("DeviceAccessToken after deny: %v; want access_denied", err)
	}
}

func TestDeviceSlowDown(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	da, err := c.DeviceAuth(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if da.Interval != 1 {
		t.Errorf("interval %d; want 1", da.Interval)
	}
	poll := func() string {
		resp, err := http.PostForm(p.TokenURL(), url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"device_code": {da.DeviceCode}, "client_id": {p.ClientID}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return e.Error
	}
	if got := poll(); got != "authorization_pending" {
		t.Fatalf("first poll: %q; want authorization_pending", got)
	}
	if got := poll(); got != "slow_down" {
		t.Fatalf("immediate second poll: %q; want slow_down", got)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := poll(); got != "authorization_pending" {
		t.Fatalf("poll after the interval: %q; want authorization_pending", got)
	}
}

// loopbackRedirect returns a redirect URI on a port nobody listens on.
func loopbackRedirect(t *testing.T, path string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String() + path
}

// codeFlow runs the authorization code flow with PKCE to its token.
func codeFlow(t *testing.T, p *Provider, c *oauth2.Config, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	redirect, err := p.Login(c.AuthCodeURL("st4te", append(opts, oauth2.S256ChallengeOption(verifier))...))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(redirect)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(redirect, c.RedirectURL+"?") || u.Query().Get("state") != "st4te" || u.Query().Get("code") == "" {
		t.Fatalf("redirect %q; want %s?code=...&state=st4te", redirect, c.RedirectURL)
	}
	return c.Exchange(ctx(t), u.Query().Get("code"), oauth2.VerifierOption(verifier))
}

func TestAuthCodePKCE(t *testing.T) {
	t.Parallel()
	p := New(t)
	for _, path := range []string{"/", "/callback"} {
		c := conf(p)
		c.RedirectURL = loopbackRedirect(t, path)
		tok, err := codeFlow(t, p, c)
		if err != nil {
			t.Fatalf("%s: %v", c.RedirectURL, err)
		}
		if tok.RefreshToken == "" {
			t.Fatal("no refresh token")
		}
		if email, ok := p.Validate(tok.AccessToken); !ok || email != p.Email {
			t.Fatalf("Validate = %q, %v", email, ok)
		}
	}

	c := conf(p)
	c.RedirectURL = loopbackRedirect(t, "/cb")
	// A wrong verifier is refused.
	redirect, err := p.Login(c.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(redirect)
	if _, err := c.Exchange(ctx(t), u.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier())); errorCode(err) != "invalid_grant" {
		t.Fatalf("exchange with a wrong verifier: %v; want invalid_grant", err)
	}
	// A public client without PKCE gets no token.
	redirect, err = p.Login(c.AuthCodeURL("s"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(redirect)
	if tok, err := c.Exchange(ctx(t), u.Query().Get("code")); err == nil {
		t.Fatalf("exchange without PKCE gave a token (%s)", tok.Type())
	}
	// Redirects off 127.0.0.1 are refused.
	for _, bad := range []string{"http://example.com:8080/cb", "http://localhost:8080/cb"} {
		c.RedirectURL = bad
		if r, err := p.Login(c.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))); err == nil {
			t.Errorf("redirect_uri %s: Login gave %q", bad, r)
		}
	}
}

func TestRotationAndReuse(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	tok := deviceToken(t, p, c)
	rt0 := tok.RefreshToken

	t1, err := refresh(t, c, rt0)
	if err != nil {
		t.Fatal(err)
	}
	if t1.RefreshToken == "" || t1.RefreshToken == rt0 || t1.AccessToken == tok.AccessToken {
		t.Fatal("a refresh did not rotate the refresh token or returned the old access token")
	}
	t2, err := refresh(t, c, t1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if p.RefreshCount() != 2 || p.ReuseCount() != 0 {
		t.Fatalf("counts %d/%d; want 2/0", p.RefreshCount(), p.ReuseCount())
	}
	if _, ok := p.Validate(t2.AccessToken); !ok {
		t.Fatal("the current access token does not validate")
	}
	// The rotated-out one again: reuse, and the grant is gone.
	if _, err := refresh(t, c, rt0); errorCode(err) != "invalid_grant" {
		t.Fatalf("refresh with a rotated-out token: %v; want invalid_grant", err)
	}
	if p.ReuseCount() != 1 {
		t.Fatalf("ReuseCount %d; want 1", p.ReuseCount())
	}
	if _, err := refresh(t, c, t2.RefreshToken); errorCode(err) != "invalid_grant" {
		t.Fatalf("refresh of a revoked grant: %v; want invalid_grant", err)
	}
	if _, ok := p.Validate(t2.AccessToken); ok {
		t.Fatal("an access token of a revoked grant still validates")
	}
	if p.RefreshCount() != 2 || p.ReuseCount() != 1 {
		t.Fatalf("counts %d/%d; want 2/1 (the token current at revocation is no reuse)", p.RefreshCount(), p.ReuseCount())
	}
	// Another grant of the same user is untouched.
	other := deviceToken(t, p, c)
	if _, err := refresh(t, c, other.RefreshToken); err != nil {
		t.Fatalf("another grant: %v", err)
	}
}

func TestAccessTokenLifetime(t *testing.T) {
	t.Parallel()
	p := New(t, AccessTokenLifetime(time.Second))
	tok := deviceToken(t, p, conf(p))
	if tok.ExpiresIn != 1 {
		t.Fatalf("expires_in %d; want 1", tok.ExpiresIn)
	}
	if _, ok := p.Validate(tok.AccessToken); !ok {
		t.Fatal("a fresh token does not validate")
	}
	time.Sleep(1600 * time.Millisecond)
	if _, ok := p.Validate(tok.AccessToken); ok {
		t.Fatal("an expired token validates")
	}
	if code := introspect(t, p, tok.AccessToken, ResourceClientID, ResourceClientSecret).active; code {
		t.Fatal("introspection: an expired token is active")
	}
	// Its refresh token still works.
	t1, err := refresh(t, conf(p), tok.RefreshToken)
	if err != nil || t1.ExpiresIn != 1 {
		t.Fatalf("refresh: %v, expires_in %d", err, t1.ExpiresIn)
	}
	if _, ok := p.Validate(t1.AccessToken); !ok {
		t.Fatal("the refreshed token does not validate")
	}
}

func TestDefaultLifetime(t *testing.T) {
	t.Parallel()
	p := New(t)
	if tok := deviceToken(t, p, conf(p)); tok.ExpiresIn != 3600 {
		t.Fatalf("expires_in %d; want 3600", tok.ExpiresIn)
	}
}

func TestRevokeAll(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	a, b := deviceToken(t, p, c), deviceToken(t, p, c)
	p.RevokeAll()
	for _, tok := range []*oauth2.Token{a, b} {
		if _, ok := p.Validate(tok.AccessToken); ok {
			t.Fatal("an access token validates after RevokeAll")
		}
		if _, err := refresh(t, c, tok.RefreshToken); errorCode(err) != "invalid_grant" {
			t.Fatalf("refresh after RevokeAll: %v; want invalid_grant", err)
		}
	}
	if p.ReuseCount() != 0 {
		t.Fatalf("ReuseCount %d after revocation; want 0", p.ReuseCount())
	}
	// The user can log on again.
	if _, err := refresh(t, c, deviceToken(t, p, c).RefreshToken); err != nil {
		t.Fatal(err)
	}
}

type introspection struct {
	status int
	active bool
	email  string
}

func introspect(t *testing.T, p *Provider, token, id, secret string) introspection {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.IntrospectionURL(), strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Active bool   `json:"active"`
		Email  string `json:"email"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&r)
	return introspection{resp.StatusCode, r.Active, r.Email}
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	p := New(t)
	tok := deviceToken(t, p, conf(p))
	if got := introspect(t, p, tok.AccessToken, ResourceClientID, ResourceClientSecret); !got.active || got.email != p.Email {
		t.Fatalf("introspection %+v; want active, %s", got, p.Email)
	}
	if got := introspect(t, p, tok.AccessToken, ResourceClientID, "wrong"); got.active || got.status == http.StatusOK {
		t.Fatalf("introspection with a wrong secret: %+v", got)
	}
	if got := introspect(t, p, tok.AccessToken, "", ""); got.active || got.status == http.StatusOK {
		t.Fatalf("introspection without client: %+v", got)
	}
	p.RevokeAll()
	if got := introspect(t, p, tok.AccessToken, ResourceClientID, ResourceClientSecret); got.active || got.status != http.StatusOK {
		t.Fatalf("introspection of a revoked token %+v; want 200, inactive", got)
	}
}

func TestConfidentialClient(t *testing.T) {
	t.Parallel()
	p := New(t, ClientSecret("s3cret"))
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		c := conf(p)
		c.ClientSecret, c.Endpoint.AuthStyle = "s3cret", style
		c.RedirectURL = loopbackRedirect(t, "/cb")
		tok, err := codeFlow(t, p, c)
		if err != nil {
			t.Fatalf("style %d: %v", style, err)
		}
		if _, err := refresh(t, c, tok.RefreshToken); err != nil {
			t.Fatalf("style %d refresh: %v", style, err)
		}
		c.ClientSecret = "wrong"
		if _, err := refresh(t, c, tok.RefreshToken); err == nil {
			t.Fatalf("style %d: refresh with a wrong secret succeeded", style)
		}
	}
	c := conf(p)
	c.ClientSecret, c.Endpoint.AuthStyle = "s3cret", oauth2.AuthStyleInHeader
	if tok := deviceToken(t, p, c); tok.RefreshToken == "" {
		t.Fatal("device flow: no refresh token")
	}
	// The op does not authenticate the device authorization request, but
	// the token request.
	c.ClientSecret = ""
	da, err := c.DeviceAuth(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ApproveDevice(da.UserCode); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeviceAccessToken(ctx(t), da); errorCode(err) == "" {
		t.Fatalf("device token without the secret: %v; want an OAuth error", err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	rt := deviceToken(t, p, c).RefreshToken

	p.SetDown(true)
	_, err := refresh(t, c, rt)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("down: %v; want 503", err)
	}
	p.SetDown(false)
	for _, kind := range []string{"html", "garbage", "close"} {
		p.SetJunk(kind)
		if tok, err := refresh(t, c, rt); err == nil {
			t.Fatalf("junk %s: a token (%s)", kind, tok.Type())
		}
	}
	p.SetJunk("")
	if _, err := refresh(t, c, rt); err != nil {
		t.Fatalf("after the faults: %v (the faults must not reach the provider)", err)
	}
	if p.RefreshCount() != 1 {
		t.Fatalf("RefreshCount %d; want 1", p.RefreshCount())
	}
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	p := New(t, ControlEndpoints())
	c := conf(p)
	da, err := c.DeviceAuth(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(p.Issuer+"/test/approve?user_code="+url.QueryEscape(da.UserCode), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approve: %s", resp.Status)
	}
	tok, err := c.DeviceAccessToken(ctx(t), da)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Post(p.Issuer+"/test/revoke", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, ok := p.Validate(tok.AccessToken); ok {
		t.Fatal("valid after /test/revoke")
	}
	if resp, err := http.Post(New(t).Issuer+"/test/revoke", "", nil); err == nil && resp.StatusCode == http.StatusOK {
		t.Fatal("control endpoints served without ControlEndpoints")
	}
}

// Two refreshes racing with one refresh token, as two processes without a
// lock would: one gets tokens, the other is reuse, and the grant is gone.
func TestConcurrentRefreshIsReuse(t *testing.T) {
	t.Parallel()
	p := New(t)
	c := conf(p)
	rt := deviceToken(t, p, c).RefreshToken
	type result struct {
		tok *oauth2.Token
		err error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			tok, err := c.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt}).Token()
			results <- result{tok, err}
		}()
	}
	var won *oauth2.Token
	for range 2 {
		r := <-results
		switch {
		case r.err == nil:
			won = r.tok
		case errorCode(r.err) != "invalid_grant":
			t.Fatalf("refresh: %v; want a token or invalid_grant", r.err)
		}
	}
	if p.ReuseCount() != 1 {
		t.Fatalf("ReuseCount %d; want 1", p.ReuseCount())
	}
	if won != nil {
		if _, err := refresh(t, c, won.RefreshToken); errorCode(err) != "invalid_grant" {
			t.Fatalf("refresh with the winner's token after reuse: %v; want invalid_grant", err)
		}
	}
}

// TokenDelay holds a refresh's answer after serving it: a client that gives
// up meanwhile has had its refresh token rotated all the same, and
// presenting it again is reuse.
func TestTokenDelay(t *testing.T) {
	t.Parallel()
	p := New(t, TokenDelay(time.Second))
	c := conf(p)
	tok := deviceToken(t, p, c)
	short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.TokenSource(short, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		t.Fatal("a refresh answered within 200 ms despite TokenDelay(1s)")
	}
	if p.RefreshCount() != 1 {
		t.Fatalf("RefreshCount %d; want 1 (served before the answer was held)", p.RefreshCount())
	}
	if _, err := refresh(t, c, tok.RefreshToken); errorCode(err) != "invalid_grant" || p.ReuseCount() != 1 {
		t.Fatalf("the abandoned refresh token again: %v, reuse %d; want invalid_grant, 1", err, p.ReuseCount())
	}
}
