package oauthtest

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// client is an op.Client (and op.HasRedirectGlobs) of our own: the example
// storage's Client cannot be given the device grant together with loopback
// redirects, its fields being unexported.
type client struct {
	id, secret string
	appType    op.ApplicationType
	auth       oidc.AuthMethod
	grants     []oidc.GrantType
	redirects  []string // globs (doublestar)
}

var _ op.HasRedirectGlobs = (*client)(nil)

// loopbackRedirects are the redirect URIs a native client may use: any port,
// any path, on 127.0.0.1 only (RFC 8252 §7.3; SPEC: 127.0.0.1).
var loopbackRedirects = []string{"http://127.0.0.1:*/**", "http://127.0.0.1/**"}

// mapictlClient is ClientID: public (native, PKCE) without a secret,
// confidential (web, client_secret_basic/post) with one.
func mapictlClient(secret string) *client {
	c := &client{
		id:        ClientID,
		secret:    secret,
		appType:   op.ApplicationTypeNative,
		auth:      oidc.AuthMethodNone,
		grants:    []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode},
		redirects: loopbackRedirects,
	}
	if secret != "" {
		c.appType = op.ApplicationTypeWeb
		c.auth = oidc.AuthMethodBasic
	}
	return c
}

// resourceClient is the resource server (a mail server) that introspects.
func resourceClient() *client {
	return &client{
		id:      ResourceClientID,
		secret:  ResourceClientSecret,
		appType: op.ApplicationTypeWeb,
		auth:    oidc.AuthMethodBasic,
	}
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return nil }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return c.appType }
func (c *client) AuthMethod() oidc.AuthMethod         { return c.auth }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return c.grants }
func (c *client) LoginURL(id string) string            { return loginPath + "?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return time.Hour }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return true } // mail scopes too
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RedirectURIGlobs() []string           { return c.redirects }
func (c *client) PostLogoutRedirectURIGlobs() []string { return nil }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
