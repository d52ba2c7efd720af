package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// callback is what the redirect to the loopback listener brought.
type callback struct {
	code            string
	errCode, errMsg string // the provider's error= and error_description=
	done            chan string
}

// Browser runs the authorization code grant with PKCE (S256) and a
// loopback redirect (RFC 8252): it listens on 127.0.0.1 at a random port
// (redirect URI http://127.0.0.1:PORT), calls open with the authorization
// URL on a goroutine of its own (Browser does not wait for open to
// return), and waits for the browser's redirect until ctx ends: ctx's
// deadline is the dialog's (Browser adds none), and Browser returns at once
// when ctx ends, closing the listener. A redirect whose state is not this
// dialog's is answered 400 and ignored. The code is exchanged, with the
// verifier, through hc (nil: a default client). Errors: 78 (the provider
// has no authorization endpoint), 130 (ctx cancelled), 77 (ctx's deadline
// passed before the redirect; the user declined; the provider refused the
// code or client), 75 (the provider cannot be reached or answers junk), 70
// (no loopback listener). Error text never holds the code, verifier, state
// or a token.
func Browser(ctx context.Context, s Settings, e Endpoints, hc *http.Client, open func(authURL string)) (*oauth2.Token, error) {
	if e.AuthURL == "" {
		return nil, mapi.Errorf(mapi.Unconfigured, "the OAuth 2.0 provider has no authorization endpoint").
			WithHint("sign in with --device, or set oauth2.auth-url")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "cannot listen on 127.0.0.1 for the sign-in's redirect")
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port)
	state, verifier := random(), oauth2.GenerateVerifier()
	cfg := config(s, e, redirect)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if s.Provider == "google" {
		opts = append(opts, oauth2.AccessTypeOffline)
	}
	authURL := cfg.AuthCodeURL(state, opts...)

	got := make(chan callback, 1)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler:           redirectHandler(state, got),
	}
	go srv.Serve(ln)
	answered := false // a redirect came: its page is delivered before closing
	defer func() {
		if answered {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if srv.Shutdown(sctx) == nil {
				return
			}
		}
		srv.Close()
	}()

	f := failure{what: "OAuth 2.0 browser sign-in", secrets: []string{state, verifier, s.ClientSecret}}
	go open(authURL)
	var cb callback
	select {
	case <-ctx.Done():
		return nil, ended(ctx, f.what, "waiting for the browser")
	case cb = <-got:
		answered = true
	}
	page := "Signing in failed: see the terminal. You may close this window."
	defer func() { cb.done <- page }()
	if cb.errCode != "" {
		said := redact(cb.errCode, f.secrets)
		if d := redact(cb.errMsg, f.secrets); d != "" {
			said += ": " + d
		}
		if cb.errCode == "access_denied" {
			return nil, mapi.Errorf(mapi.LogonFailed, "%s: the sign-in was declined (%s)", f.what, said)
		}
		return nil, mapi.Errorf(mapi.LogonFailed, "%s: the provider refused the sign-in (%s)", f.what, said)
	}
	f.secrets = append(f.secrets, cb.code)
	xctx, cancel := context.WithTimeout(withClient(ctx, httpClient(hc, defaultTimeout)), defaultTimeout)
	defer cancel()
	tok, err := cfg.Exchange(xctx, cb.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, f.classify(ctx, err)
	}
	page = "Signed in. You may close this window and return to the terminal."
	return tok, nil
}

// redirectHandler serves the loopback redirect: the first request to / with
// this dialog's state goes to got, and is answered with the page the dialog
// sends back on its done channel; anything else is refused.
func redirectHandler(state string, got chan<- callback) http.Handler {
	var taken atomic.Bool
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path != "/" || r.Method != http.MethodGet {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.Error(w, "This is not the sign-in mapictl is waiting for (state mismatch).", http.StatusBadRequest)
			return
		}
		cb := callback{code: q.Get("code"), errCode: q.Get("error"), errMsg: q.Get("error_description"), done: make(chan string, 1)}
		if cb.code == "" && cb.errCode == "" {
			http.Error(w, "The redirect holds neither a code nor an error.", http.StatusBadRequest)
			return
		}
		if !taken.CompareAndSwap(false, true) {
			http.Error(w, "This sign-in was already answered.", http.StatusConflict)
			return
		}
		got <- cb // buffered: the first and only send
		select {
		case page := <-cb.done:
			fmt.Fprintln(w, textsafe.Escape(page))
		case <-r.Context().Done():
		}
	})
}

// random is 32 random bytes, base64url: the state.
func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
