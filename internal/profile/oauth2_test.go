package profile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// SetProp checks the OAuth 2.0 values of SPEC §8 in a transport section:
// the provider is one of three, every endpoint is https (http only to a
// loopback host), scopes are RFC 6749 scope tokens, and the tenant can
// only ever be one path segment.
func TestOAuth2SettingsValidated(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	for _, tc := range []struct {
		tag mapi.Tag
		v   any
		ok  bool
	}{
		{mapi.PrOAuth2Provider, "microsoft", true},
		{mapi.PrOAuth2Provider, "google", true},
		{mapi.PrOAuth2Provider, "custom", true},
		{mapi.PrOAuth2Provider, "Microsoft", false},
		{mapi.PrOAuth2Provider, "github", false},
		{mapi.PrOAuth2Provider, "", false},
		{mapi.PrOAuth2ClientID, "9e5f94bc-e8a4-4e73-b8be-63364c29d753", true},
		{mapi.PrOAuth2ClientID, "406964657835-aq8lmia8j95dhl1a2bvharmfk3t1hgqj.apps.googleusercontent.com", true},
		{mapi.PrOAuth2ClientID, "", false},
		{mapi.PrOAuth2ClientID, "id\nwith newline", false},
		{mapi.PrOAuth2Tenant, "common", true},
		{mapi.PrOAuth2Tenant, "contoso.onmicrosoft.com", true},
		{mapi.PrOAuth2Tenant, "72f988bf-86f1-41af-91ab-2d7cd011db47", true},
		{mapi.PrOAuth2Tenant, "common/../evil", false},
		{mapi.PrOAuth2Tenant, "common?x=y", false},
		{mapi.PrOAuth2Tenant, "", false},
		{mapi.PrOAuth2Tenant, "-x", false},
		{mapi.PrOAuth2Scopes, []string{"https://outlook.office.com/SMTP.Send", "offline_access"}, true},
		{mapi.PrOAuth2Scopes, []string{"https://mail.google.com/"}, true},
		{mapi.PrOAuth2Scopes, []string{}, false},
		{mapi.PrOAuth2Scopes, []string{"openid", ""}, false},
		{mapi.PrOAuth2Scopes, []string{"SMTP.Send IMAP.AccessAsUser.All"}, false}, // two in one item
		{mapi.PrOAuth2Scopes, []string{`a"b`}, false},
		{mapi.PrSMTPAuth, "oauthbearer", true},
		{mapi.PrSMTPAuth, "xoauth2", true},
		{mapi.PrSMTPAuth, "oauth2", false},
	} {
		err := s.SetProp(tc.tag, tc.v)
		if tc.ok && err != nil {
			t.Errorf("SetProp(%s, %q) = %v", mapi.DisplayName(tc.tag, mapi.ScopeTransport), tc.v, err)
		}
		if !tc.ok && !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("SetProp(%s, %q) = %v, want MAPI_E_INVALID_PARAMETER", mapi.DisplayName(tc.tag, mapi.ScopeTransport), tc.v, err)
		}
	}
	for _, tag := range []mapi.Tag{mapi.PrOAuth2RefreshToken, mapi.PrOAuth2ClientSecret} {
		if err := s.SetProp(tag, "x"); !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("SetProp(%s) = %v: secure tags go through credential set", tag, err)
		}
	}
}

// Every endpoint setting goes through tlsconf.CheckHTTPS; a refusal is 64,
// names the setting, and never repeats a password or query the URL held.
func TestOAuth2EndpointsHTTPS(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	for _, tag := range []mapi.Tag{mapi.PrOAuth2Issuer, mapi.PrOAuth2AuthURL, mapi.PrOAuth2TokenURL, mapi.PrOAuth2DeviceURL} {
		name := mapi.DisplayName(tag, mapi.ScopeTransport)
		for _, ok := range []string{"https://login.example.com/oauth2/token", "http://127.0.0.1:9999/token", "http://[::1]/t", "http://127.0.0.1:8080/t"} {
			if err := s.SetProp(tag, ok); err != nil {
				t.Errorf("%s=%s: %v", name, ok, err)
			}
		}
		for _, bad := range []string{"http://login.example.com/token?client_secret=s3cr3t", "https://user:s3cr3t@login.example.com/token",
			"ftp://login.example.com/", "/oauth2/token", "login.example.com/token", "http://localhost:8080/t", ""} {
			err := s.SetProp(tag, bad)
			if !mapi.IsCode(err, mapi.InvalidParameter) {
				t.Errorf("%s=%q: %v, want MAPI_E_INVALID_PARAMETER", name, bad, err)
				continue
			}
			text := fmt.Sprint(err, mapi.AsError(err).Hints)
			if !strings.Contains(text, name) || strings.Contains(text, "s3cr3t") {
				t.Errorf("%s=%q: error %q must name the setting and hold no secret", name, bad, text)
			}
		}
		if got := s.String(tag); got != "http://127.0.0.1:8080/t" {
			t.Errorf("%s: a refused value replaced %q", name, got)
		}
	}
}

// In a section that is not mapictl's transport, IDs 0x6620-0x662F are
// another provider's (an imported service's AccountName, say): not checked.
func TestOAuth2RangeOtherSectionsUnchecked(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("svc", KindService, "")
	if err := s.SetProp(mapi.NewTag(mapi.PtUnicode, 0x6620), "Dana's account"); err != nil {
		t.Errorf("service section, tag 0x6620001F: %v", err)
	}
}

// binds/2 covers the whole OAuth 2.0 range by ID: changing any oauth2.*
// setting (the token URL receives the refresh token) makes the stored
// refresh token refuse, naming the setting, old and new, never a secret.
func TestOAuth2SettingsBindCredentials(t *testing.T) {
	holder := testKey(t)
	ids := []age.Identity{holder}
	p := New("w", []string{holder.Recipient().String()})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	s.Props[mapi.PrOAuth2Provider] = "custom"
	s.Props[mapi.PrOAuth2ClientID] = "mapictl"
	s.Props[mapi.PrOAuth2TokenURL] = "https://idp.example.com/token"
	if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrOAuth2RefreshToken: "rt-s3cr3t"}); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []struct {
		tag mapi.Tag
		v   any
	}{
		{mapi.PrOAuth2TokenURL, "https://evil.example.net/token"},
		{mapi.PrOAuth2Provider, "google"},
		{mapi.PrOAuth2ClientID, "other"},
		{mapi.PrOAuth2Tenant, "contoso.com"},
		{mapi.PrOAuth2Issuer, "https://evil.example.net"},
		{mapi.PrOAuth2AuthURL, "https://evil.example.net/auth"},
		{mapi.PrOAuth2DeviceURL, "https://evil.example.net/device"},
		{mapi.PrOAuth2Scopes, []string{"openid"}},
	} {
		name := mapi.DisplayName(ch.tag, mapi.ScopeTransport)
		old, had := s.Props[ch.tag]
		s.Props[ch.tag] = ch.v
		_, err := s.ReadSecure(ids)
		if !mapi.IsCode(err, mapi.NoAccess) || mapi.AsError(err).ExitStatus() != 77 || strings.Contains(fmt.Sprint(err), "rt-s3cr3t") {
			t.Errorf("after %s change: %v, want MAPI_E_NO_ACCESS (77) without the token", name, err)
		}
		if c, err := s.OpenSecure(ids); err != nil || !slices.ContainsFunc(c.Changed(s), func(l string) bool { return strings.HasPrefix(l, name+": ") }) {
			t.Errorf("after %s change: Changed does not name it", name)
		}
		if had {
			s.Props[ch.tag] = old
		} else {
			delete(s.Props, ch.tag)
		}
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrOAuth2RefreshToken] != "rt-s3cr3t" {
		t.Errorf("settings restored: %v", err)
	}
}

// profile accept's review names the OAuth 2.0 endpoints that changed,
// as SPEC §5 asks (the diff of every setting, by alias).
func TestOAuth2EndpointsInAcceptDiff(t *testing.T) {
	prev := New("w", []string{"age1x"})
	s, _ := prev.AddSection("s", KindTransport, "smtp")
	s.Props[mapi.PrOAuth2Provider] = "custom"
	s.Props[mapi.PrOAuth2TokenURL] = "https://idp.example.com/token"
	cur := New("w", []string{"age1x"})
	cur.UID = prev.UID
	c, _ := cur.AddSection("s", KindTransport, "smtp")
	c.UID = s.UID
	c.Props[mapi.PrProviderUID] = s.Props[mapi.PrProviderUID]
	c.Props[mapi.PrOAuth2Provider] = "custom"
	c.Props[mapi.PrOAuth2TokenURL] = "https://evil.example.net/token"
	c.Props[mapi.PrOAuth2DeviceURL] = "https://evil.example.net/device"
	lines := diffProfiles(prev, cur)
	for _, want := range []string{
		`section s: oauth2.token-url: "https://idp.example.com/token" -> "https://evil.example.net/token"`,
		`section s: oauth2.device-url: unset -> "https://evil.example.net/device"`,
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("accept diff lacks %q; got %q", want, lines)
		}
	}
}
