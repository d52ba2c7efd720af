package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
)

// startProxy puts a recording reverse proxy in front of the provider: the
// sections reach its token and device endpoints through it
// ([oauthMail.tokenURL]), so the test knows every secret that crosses
// them (device codes, authorization codes, PKCE verifiers, access, refresh
// and ID tokens) and can look for them where they must not be.
func (m *oauthMail) startProxy(cleanup func(func())) {
	target, _ := url.Parse(m.p.Issuer)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = target.Host },
		ModifyResponse: func(resp *http.Response) error {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(b))
			var v map[string]any
			if json.Unmarshal(b, &v) == nil {
				for _, k := range []string{"access_token", "refresh_token", "id_token", "device_code"} {
					if s, ok := v[k].(string); ok {
						m.addSecret(k, s)
					}
				}
			}
			return nil
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		if form, err := url.ParseQuery(string(b)); err == nil {
			for _, k := range []string{"device_code", "code", "code_verifier", "refresh_token", "client_secret"} {
				m.addSecret(k, form.Get(k))
			}
		}
		rp.ServeHTTP(w, r)
	}))
	cleanup(srv.Close)
	m.proxy = srv.URL
}

// addSecret records secret s of kind k (its form or JSON field).
func (m *oauthMail) addSecret(k, s string) {
	if len(s) < 8 {
		return
	}
	m.mu.Lock()
	m.secrets = append(m.secrets, s)
	if m.kinds == nil {
		m.kinds = map[string]int{}
	}
	m.kinds[k]++
	m.mu.Unlock()
}

// allSecrets are the secrets that crossed the proxy so far, and how many
// of each kind.
func (m *oauthMail) allSecrets() ([]string, map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	kinds := map[string]int{}
	for k, n := range m.kinds {
		kinds[k] = n
	}
	return append([]string(nil), m.secrets...), kinds
}

// tokenURL and deviceURL are the provider's endpoints through the proxy.
func (m *oauthMail) tokenURL() string  { return m.viaProxy(m.p.TokenURL()) }
func (m *oauthMail) deviceURL() string { return m.viaProxy(m.p.DeviceURL()) }

func (m *oauthMail) viaProxy(u string) string { return m.proxy + strings.TrimPrefix(u, m.p.Issuer) }
