package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// fake is an OAuth 2.0 authorization server on loopback for the tests
// that need a provider to misbehave in ways a real one does not: it
// rotates refresh tokens, detects their reuse (revoking the grant, as
// strict providers do), serves the device and code grants with PKCE, and
// can be told to fail.
type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	mode      string // "", "down", "html", "html200", "junk", "noaccess", "invalid_grant", "invalid_client", "echo", "slow", "server_error", "form"
	rotate    bool
	lifetime  int           // expires_in; 0: none sent
	delay     time.Duration // before answering a refresh
	live      map[string]bool
	used      map[string]bool
	access    map[string]bool
	codes     map[string]codeGrant
	devices   map[string]*deviceGrant
	refreshes int // refresh requests answered with tokens
	reuses    int // rotated-out refresh tokens presented
	requests  int // token endpoint requests, all kinds
	lastForm  url.Values
	sent      []string // every secret a client sent to the token endpoint
	clientID  string
}

type codeGrant struct{ challenge, redirect string }

type deviceGrant struct {
	userCode string
	state    string // "pending", "approved", "denied", "slow", "expired"
	polls    int
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, rotate: true, lifetime: 3600, clientID: "mapictl-test",
		live: map[string]bool{}, used: map[string]bool{}, access: map[string]bool{},
		codes: map[string]codeGrant{}, devices: map[string]*deviceGrant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", f.token)
	mux.HandleFunc("/device", f.device)
	mux.HandleFunc("/authorize", f.authorize)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"issuer":                                f.srv.URL,
			"authorization_endpoint":                f.srv.URL + "/authorize",
			"token_endpoint":                        f.srv.URL + "/token",
			"device_authorization_endpoint":         f.srv.URL + "/device",
			"token_endpoint_auth_methods_supported": []string{"none", "client_secret_post"},
		})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// settings are custom settings with f's explicit endpoints.
func (f *fake) settings() Settings {
	return Settings{Provider: "custom", ClientID: f.clientID, TokenURL: f.srv.URL + "/token",
		AuthURL: f.srv.URL + "/authorize", DeviceURL: f.srv.URL + "/device"}
}

func (f *fake) set(mode string) { f.mu.Lock(); f.mode = mode; f.mu.Unlock() }

// with runs fn holding f's lock: the fake's fields are the server's.
func (f *fake) with(fn func()) { f.mu.Lock(); defer f.mu.Unlock(); fn() }

// isLive reports whether rt is a refresh token f would honour.
func (f *fake) isLive(rt string) bool { f.mu.Lock(); defer f.mu.Unlock(); return f.live[rt] }

// form is the last request's form.
func (f *fake) form() url.Values { f.mu.Lock(); defer f.mu.Unlock(); return f.lastForm }

func (f *fake) counts() (refreshes, reuses, requests int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes, f.reuses, f.requests
}

// grant issues a new grant's tokens.
func (f *fake) grant() (access, refresh string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issueLocked()
}

func (f *fake) issueLocked() (string, string) {
	at, rt := "AT-"+rnd(), "RT-"+rnd()
	f.access[at] = true
	f.live[rt] = true
	return at, rt
}

// revokeAll invalidates every refresh token.
func (f *fake) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.live = map[string]bool{}
}

func (f *fake) tokens(w http.ResponseWriter, at, rt string) {
	m := map[string]any{"access_token": at, "token_type": "Bearer"}
	if rt != "" {
		m["refresh_token"] = rt
	}
	if f.lifetime > 0 {
		m["expires_in"] = f.lifetime
	}
	if f.mode == "form" {
		v := url.Values{"access_token": {at}, "token_type": {"Bearer"}, "expires_in": {fmt.Sprint(f.lifetime)}}
		if rt != "" {
			v.Set("refresh_token", rt)
		}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.Write([]byte(v.Encode()))
		return
	}
	writeJSON(w, 200, m)
}

func (f *fake) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	f.requests++
	f.lastForm = r.PostForm
	for _, k := range []string{"refresh_token", "code", "code_verifier", "client_secret", "device_code"} {
		if v := r.PostForm.Get(k); v != "" {
			f.sent = append(f.sent, v)
		}
	}
	mode, delay := f.mode, f.delay
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rt := r.PostForm.Get("refresh_token")
	switch mode {
	case "down":
		hj, _ := w.(http.Hijacker)
		c, _, _ := hj.Hijack()
		c.Close()
		return
	case "slow":
		f.mu.Unlock()
		time.Sleep(2 * time.Second)
		f.mu.Lock()
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		fmt.Fprintf(w, "<html><body>Bad gateway for %s</body></html>", rt)
		return
	case "html200":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, "<html><body>Sign in %s</body></html>", rt)
		return
	case "junk":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "\x00\x01garbage %s {", rt)
		return
	case "noaccess":
		writeJSON(w, 200, map[string]any{"token_type": "Bearer", "refresh_token": rt})
		return
	case "invalid_client":
		writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "unknown client " + r.PostForm.Get("client_id")})
		return
	case "server_error":
		writeJSON(w, 503, map[string]any{"error": "temporarily_unavailable"})
		return
	case "echo": // a provider that quotes what it was sent
		writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "bad token " + rt +
			" code " + r.PostForm.Get("code") + " verifier " + r.PostForm.Get("code_verifier") + " secret " + r.PostForm.Get("client_secret") + " device " + r.PostForm.Get("device_code")})
		return
	}
	client := r.PostForm.Get("client_id")
	if id, _, ok := r.BasicAuth(); ok {
		client = id
	}
	if client != f.clientID {
		writeJSON(w, 401, map[string]any{"error": "invalid_client"})
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if f.used[rt] {
			f.reuses++
			f.live = map[string]bool{} // reuse detected: the grant is revoked
		}
		if mode == "invalid_grant" || !f.live[rt] {
			writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "the refresh token is revoked or expired"})
			return
		}
		f.refreshes++
		if !f.rotate {
			at := "AT-" + rnd()
			f.access[at] = true
			f.tokens(w, at, "")
			return
		}
		delete(f.live, rt)
		f.used[rt] = true
		at, nrt := f.issueLocked()
		f.tokens(w, at, nrt)
	case "authorization_code":
		g, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !ok || g.redirect != r.PostForm.Get("redirect_uri") || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "code, redirect or verifier wrong"})
			return
		}
		at, nrt := f.issueLocked()
		f.tokens(w, at, nrt)
	case "urn:ietf:params:oauth:grant-type:device_code":
		d := f.devices[r.PostForm.Get("device_code")]
		if d == nil {
			writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
			return
		}
		d.polls++
		switch d.state {
		case "approved":
			delete(f.devices, r.PostForm.Get("device_code"))
			at, nrt := f.issueLocked()
			f.tokens(w, at, nrt)
		case "slow":
			d.state = "approved"
			writeJSON(w, 400, map[string]any{"error": "slow_down"})
		case "denied":
			writeJSON(w, 400, map[string]any{"error": "access_denied"})
		case "expired":
			writeJSON(w, 400, map[string]any{"error": "expired_token"})
		default:
			writeJSON(w, 400, map[string]any{"error": "authorization_pending"})
		}
	default:
		writeJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
	}
}

func (f *fake) device(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mode == "html" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(500)
		w.Write([]byte("<html>oops</html>"))
		return
	}
	if r.PostForm.Get("client_id") != f.clientID {
		writeJSON(w, 401, map[string]any{"error": "invalid_client"})
		return
	}
	dc, uc := "DC-"+rnd(), "UC-"+rnd()[:8]
	f.devices[dc] = &deviceGrant{userCode: uc, state: "pending"}
	writeJSON(w, 200, map[string]any{"device_code": dc, "user_code": uc,
		"verification_uri": f.srv.URL + "/verify", "expires_in": 60, "interval": 1})
}

// secrets are every token f issued and every secret it was sent.
func (f *fake) secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string(nil), f.sent...)
	for k := range f.access {
		out = append(out, k)
	}
	for k := range f.live {
		out = append(out, k)
	}
	for k := range f.used {
		out = append(out, k)
	}
	for k := range f.codes {
		out = append(out, k)
	}
	for k := range f.devices {
		out = append(out, k)
	}
	return out
}

// approve sets the device grant of userCode to state.
func (f *fake) approve(userCode, state string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.devices {
		if d.userCode == userCode {
			d.state = state
			return
		}
	}
	f.t.Errorf("no device grant with user code %s", userCode)
}

// authorize signs the user in at once: a redirect with a code (or with
// error=access_denied when mode is "deny").
func (f *fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, state := q.Get("redirect_uri"), q.Get("state")
	f.mu.Lock()
	defer f.mu.Unlock()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("client_id") != f.clientID {
		http.Error(w, "PKCE S256 and the client id are required", 400)
		return
	}
	u, _ := url.Parse(redirect)
	v := url.Values{"state": {state}}
	if f.mode == "deny" {
		v.Set("error", "access_denied")
		v.Set("error_description", "the user said no")
	} else {
		code := "CODE-" + rnd()
		f.codes[code] = codeGrant{challenge: q.Get("code_challenge"), redirect: redirect}
		v.Set("code", code)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func rnd() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// closedURL is an http URL on loopback where nothing listens.
func closedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}
