package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestResolveKnownProviders(t *testing.T) {
	t.Parallel()
	e, err := Settings{Provider: "microsoft", ClientID: "c"}.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.TokenURL != "https://login.microsoftonline.com/common/oauth2/v2.0/token" ||
		e.AuthURL != "https://login.microsoftonline.com/common/oauth2/v2.0/authorize" ||
		e.DeviceURL != "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode" {
		t.Errorf("microsoft: %+v", e)
	}
	if !slices.Contains(e.Scopes, "https://outlook.office.com/SMTP.Send") || !slices.Contains(e.Scopes, "offline_access") ||
		!slices.Contains(e.Scopes, "https://outlook.office.com/IMAP.AccessAsUser.All") || !slices.Contains(e.Scopes, "https://outlook.office.com/POP.AccessAsUser.All") {
		t.Errorf("microsoft scopes %v", e.Scopes)
	}
	e, _ = Settings{Provider: "microsoft", ClientID: "c", Tenant: "contoso.onmicrosoft.com", Scopes: []string{"x"}}.Resolve(context.Background(), nil)
	if !strings.HasPrefix(e.TokenURL, "https://login.microsoftonline.com/contoso.onmicrosoft.com/") || !slices.Equal(e.Scopes, []string{"x"}) {
		t.Errorf("microsoft tenant and scopes: %+v", e)
	}
	e, _ = Settings{Provider: "google", ClientID: "c"}.Resolve(context.Background(), nil)
	if e.TokenURL != "https://oauth2.googleapis.com/token" || e.AuthURL != "https://accounts.google.com/o/oauth2/auth" ||
		e.DeviceURL != "https://oauth2.googleapis.com/device/code" || !slices.Equal(e.Scopes, []string{"https://mail.google.com/"}) {
		t.Errorf("google: %+v", e)
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	dead := closedURL(t)
	for name, tc := range map[string]struct {
		s    Settings
		code mapi.Code
		exit int
	}{
		"no provider":        {Settings{ClientID: "c"}, mapi.Unconfigured, 78},
		"no client id":       {Settings{Provider: "google"}, mapi.Unconfigured, 78},
		"unknown provider":   {Settings{Provider: "yahoo", ClientID: "c"}, mapi.Unconfigured, 78},
		"custom nothing":     {Settings{Provider: "custom", ClientID: "c"}, mapi.Unconfigured, 78},
		"bad tenant":         {Settings{Provider: "microsoft", ClientID: "c", Tenant: "a/../b"}, mapi.InvalidParameter, 64},
		"http token url":     {Settings{Provider: "custom", ClientID: "c", TokenURL: "http://idp.example/token"}, mapi.InvalidParameter, 64},
		"user info":          {Settings{Provider: "custom", ClientID: "c", TokenURL: "https://u:p@idp.example/token"}, mapi.InvalidParameter, 64},
		"http issuer":        {Settings{Provider: "custom", ClientID: "c", Issuer: "http://idp.example"}, mapi.InvalidParameter, 64},
		"issuer unreachable": {Settings{Provider: "custom", ClientID: "c", Issuer: dead}, mapi.NetworkError, 75},
	} {
		_, err := tc.s.Resolve(context.Background(), nil)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		me := mapi.AsError(err)
		if me.Code != tc.code || me.ExitStatus() != tc.exit {
			t.Errorf("%s: %q %s %d, want %s %d", name, me.Msg, me.Code.Name, me.ExitStatus(), tc.code.Name, tc.exit)
		}
	}
}

func TestResolveDiscovery(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := Settings{Provider: "custom", ClientID: "c", Issuer: f.srv.URL}
	e, err := s.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.TokenURL != f.srv.URL+"/token" || e.AuthURL != f.srv.URL+"/authorize" || e.DeviceURL != f.srv.URL+"/device" || e.BasicAuth {
		t.Errorf("discovered %+v", e)
	}
	if !slices.Equal(e.Scopes, []string{"openid", "offline_access"}) {
		t.Errorf("custom default scopes %v", e.Scopes)
	}
	// Explicit URLs override discovery.
	s.TokenURL = f.srv.URL + "/other-token"
	if e, _ = s.Resolve(context.Background(), nil); e.TokenURL != s.TokenURL || e.AuthURL != f.srv.URL+"/authorize" {
		t.Errorf("explicit token URL: %+v", e)
	}
}

// metadata serves one discovery document at path (and 404 elsewhere).
func metadata(t *testing.T, path string, doc func(base string) string, status int, ctype string) string {
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		w.Write([]byte(doc(base)))
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	return base
}

func TestResolveDiscoveryRFC8414AndFailures(t *testing.T) {
	t.Parallel()
	good := func(b string) string {
		return `{"issuer":"` + b + `","token_endpoint":"` + b + `/t","authorization_endpoint":"` + b + `/a"}`
	}
	base := metadata(t, "/.well-known/oauth-authorization-server", good, 200, "application/json")
	e, err := Settings{Provider: "custom", ClientID: "c", Issuer: base}.Resolve(context.Background(), nil)
	if err != nil || e.TokenURL != base+"/t" || e.DeviceURL != "" || !e.BasicAuth {
		t.Errorf("RFC 8414 metadata: %+v, %v (no auth methods listed: client_secret_basic)", e, err)
	}
	for name, tc := range map[string]struct {
		base string
		exit int
	}{
		"none": {metadata(t, "/nowhere", good, 200, "application/json"), 64},
		"html": {metadata(t, "/.well-known/openid-configuration", func(string) string { return "<html>login</html>" }, 200, "text/html"), 75},
		"5xx":  {metadata(t, "/.well-known/openid-configuration", good, 503, "application/json"), 75},
		"other issuer": {metadata(t, "/.well-known/openid-configuration", func(string) string {
			return `{"issuer":"https://evil.example","token_endpoint":"https://evil.example/t"}`
		}, 200, "application/json"), 64},
		"http endpoint":  {metadata(t, "/.well-known/openid-configuration", func(b string) string { return `{"issuer":"` + b + `","token_endpoint":"http://evil.example/t"}` }, 200, "application/json"), 64},
		"no issuer":      {metadata(t, "/.well-known/openid-configuration", func(b string) string { return `{"token_endpoint":"` + b + `/t"}` }, 200, "application/json"), 64},
		"no token endpt": {metadata(t, "/.well-known/openid-configuration", func(b string) string { return `{"issuer":"` + b + `","authorization_endpoint":"` + b + `/a"}` }, 200, "application/json"), 78},
	} {
		_, err := Settings{Provider: "custom", ClientID: "c", Issuer: tc.base}.Resolve(context.Background(), nil)
		if me := mapi.AsError(err); me == nil || me.ExitStatus() != tc.exit {
			t.Errorf("%s: %v, want exit %d", name, err, tc.exit)
		}
	}
}

func TestBinding(t *testing.T) {
	t.Parallel()
	s := Settings{Provider: "custom", ClientID: "c", TokenURL: "https://idp.example/token", ClientSecret: "s1"}
	b := Binding(s, "a.example:587", "b.example:993")
	if b != Binding(s, "b.example:993", "a.example:587", "b.example:993") {
		t.Error("the servers' order or a duplicate changes the binding")
	}
	// A server string holds its TLS settings (the caller's wording), and
	// is taken as it is: a path's case is the path's.
	tls := "a.example:587 security=starttls ca-file=/etc/ssl/Work-CA.pem"
	bt := Binding(s, tls)
	for _, o := range []string{strings.ToLower(tls), "a.example:587 security=starttls ca-file=/etc/ssl/Work-CA.pem insecure-skip-verify",
		"a.example:587 security=none"} {
		if Binding(s, o) == bt {
			t.Errorf("server %q has the binding of %q", o, tls)
		}
	}
	s2 := s
	s2.ClientSecret = "s2"
	if Binding(s2, "a.example:587", "b.example:993") != b {
		t.Error("the client secret is part of the binding")
	}
	for name, o := range map[string]Settings{
		"token url": {Provider: "custom", ClientID: "c", TokenURL: "https://idp2.example/token"},
		"client":    {Provider: "custom", ClientID: "d", TokenURL: "https://idp.example/token"},
		"scopes":    {Provider: "custom", ClientID: "c", TokenURL: "https://idp.example/token", Scopes: []string{"x"}},
	} {
		if Binding(o, "a.example:587", "b.example:993") == b {
			t.Errorf("%s does not change the binding", name)
		}
	}
	if Binding(s, "a.example:587", "b.example:995") == b {
		t.Error("a server does not change the binding")
	}
}

func TestSeedDigest(t *testing.T) {
	t.Parallel()
	if (Seed{}).Digest() != "" {
		t.Error("an empty seed has a digest")
	}
	a := Seed{RefreshToken: "r"}.Digest()
	if a == "" || a == (Seed{AccessToken: "r"}).Digest() || a == (Seed{RefreshToken: "r2"}).Digest() {
		t.Error("seed digests collide")
	}
	if len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("digest %q is not hex SHA-256", a)
	}
}
