package profile

import (
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/tlsconf"
)

// OAuth2Providers are the values of oauth2.provider (SPEC §8): the two
// whose endpoints and scopes mapictl knows, and custom (the endpoints come
// from oauth2.issuer by discovery, or from each oauth2.*-url).
var OAuth2Providers = []string{"microsoft", "google", "custom"}

// oauth2URLs are the settings that name an endpoint of the provider: each
// must be https, or http to a loopback host only ([tlsconf.CheckHTTPS]),
// since the token endpoint receives the refresh token and the client
// secret, and the others decide where the user signs in.
var oauth2URLs = map[mapi.Tag]string{
	mapi.PrOAuth2Issuer:    "oauth2.issuer",
	mapi.PrOAuth2AuthURL:   "oauth2.auth-url",
	mapi.PrOAuth2TokenURL:  "oauth2.token-url",
	mapi.PrOAuth2DeviceURL: "oauth2.device-url",
}

// checkOAuth2Setting validates one oauth2.* value of a transport section
// (the type is already checked). Errors are MAPI_E_INVALID_PARAMETER and
// name the setting and what is wrong, never a URL's user info or query.
func checkOAuth2Setting(t mapi.Tag, v any, oneOf func(string, ...string) error) error {
	if name, ok := oauth2URLs[t]; ok {
		if err := tlsconf.CheckHTTPS(v.(string)); err != nil {
			return mapi.Errorf(mapi.InvalidParameter, "invalid %s: %v", name, err).
				WithHint("OAuth 2.0 endpoints must be https (http only to a loopback host such as 127.0.0.1)")
		}
		return nil
	}
	switch t {
	case mapi.PrOAuth2Provider:
		return oneOf("oauth2.provider", OAuth2Providers...)
	case mapi.PrOAuth2ClientID:
		// RFC 6749 appendix A.1: client_id = *VSCHAR (%x20-7E).
		if s := v.(string); s == "" || !allIn(s, 0x20, 0x7E) {
			return mapi.Errorf(mapi.InvalidParameter, "invalid oauth2.client-id: want printable ASCII, as the provider shows it")
		}
	case mapi.PrOAuth2Tenant:
		// A tenant is a GUID, a domain name, or common, organizations or
		// consumers; it becomes a path segment of Microsoft's endpoints, so
		// nothing that could add a segment, a query or a fragment.
		if !isTenant(v.(string)) {
			return mapi.Errorf(mapi.InvalidParameter, "invalid oauth2.tenant %q", clip(v.(string))).
				WithHint("give the tenant's ID (a GUID), one of its domain names, or common, organizations or consumers")
		}
	case mapi.PrOAuth2Scopes:
		scopes := v.([]string)
		if len(scopes) == 0 {
			return mapi.Errorf(mapi.InvalidParameter, "oauth2.scopes is empty").
				WithHint("unset it for the provider's default scopes")
		}
		for _, s := range scopes {
			if !isScopeToken(s) {
				return mapi.Errorf(mapi.InvalidParameter, "invalid scope %q in oauth2.scopes", clip(s)).
					WithHint(`a scope is non-empty printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3); give each as its own item, e.g. oauth2.scopes='["https://mail.google.com/"]'`)
			}
		}
	}
	return nil
}

// allIn reports whether every byte of s lies in lo..hi.
func allIn(s string, lo, hi byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > hi {
			return false
		}
	}
	return true
}

// isScopeToken reports whether s is an RFC 6749 §3.3 scope-token:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" || !allIn(s, 0x21, 0x7E) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			return false
		}
	}
	return true
}

// isTenant reports whether s may name a Microsoft tenant: letters, digits,
// dots and hyphens, at most 253, starting with a letter or digit.
func isTenant(s string) bool {
	if s == "" || len(s) > 253 || s[0] == '.' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
