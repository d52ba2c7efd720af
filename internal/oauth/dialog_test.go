package oauth

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// endpoints are f's, resolved.
func endpoints(t *testing.T, s Settings) Endpoints {
	t.Helper()
	e, err := s.Resolve(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDevice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		answer string // what the user does after the first poll
		exit   int
	}{
		{"approved", 0},
		{"denied", 77},
		{"expired", 77},
	} {
		t.Run(tc.answer, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			s := f.settings()
			shown := 0
			tok, err := Device(context.Background(), s, endpoints(t, s), nil, func(dc DeviceCode) {
				shown++
				if dc.UserCode == "" || !strings.HasSuffix(dc.VerificationURI, "/verify") || time.Until(dc.Expires) < 50*time.Second {
					t.Errorf("shown %+v", dc)
				}
				go func() {
					time.Sleep(1200 * time.Millisecond) // one authorization_pending first
					f.approve(dc.UserCode, tc.answer)
				}()
			})
			if shown != 1 {
				t.Errorf("show called %d times", shown)
			}
			if tc.exit == 0 {
				if err != nil || !strings.HasPrefix(tok.AccessToken, "AT-") || !strings.HasPrefix(tok.RefreshToken, "RT-") {
					t.Fatalf("Device = %+v, %v", tok, err)
				}
				return
			}
			wantCode(t, err, mapi.LogonFailed, tc.exit)
		})
	}
}

func TestDeviceSlowDown(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.settings()
	start := time.Now()
	tok, err := Device(context.Background(), s, endpoints(t, s), nil, func(dc DeviceCode) { f.approve(dc.UserCode, "slow") })
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("Device = %v, %v", tok, err)
	}
	// Interval 1 s, then slow_down: the next poll waits 1+5 s.
	if d := time.Since(start); d < 6*time.Second {
		t.Errorf("signed in after %v: slow_down was not honoured", d)
	}
}

func TestDeviceCancelAndErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.settings()
	e := endpoints(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Device(ctx, s, e, nil, func(DeviceCode) { time.AfterFunc(200*time.Millisecond, cancel) })
	wantCode(t, err, mapi.UserCancel, 130)

	_, err = Device(context.Background(), s, Endpoints{TokenURL: e.TokenURL}, nil, func(DeviceCode) { t.Error("shown") })
	wantCode(t, err, mapi.Unconfigured, 78)

	bad := s
	bad.ClientID = "someone-else"
	_, err = Device(context.Background(), bad, e, nil, func(DeviceCode) { t.Error("shown") })
	wantCode(t, err, mapi.LogonFailed, 77)

	f.set("html")
	_, err = Device(context.Background(), s, e, nil, func(DeviceCode) { t.Error("shown") })
	wantCode(t, err, mapi.NetworkError, 75)

	_, err = Device(context.Background(), s, Endpoints{DeviceURL: closedURL(t) + "/device", TokenURL: e.TokenURL}, nil, func(DeviceCode) { t.Error("shown") })
	wantCode(t, err, mapi.NetworkError, 75)
}

// browse follows the authorization URL as a browser would: the provider
// signs in at once and redirects to the loopback listener, which answers
// with a page. It returns the redirect and the page.
func browse(t *testing.T, authURL string) (string, string) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Error(err)
		return "", ""
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://127.0.0.1:") {
		t.Errorf("authorization answered %d, Location %q", resp.StatusCode, loc)
		return loc, ""
	}
	// A forged redirect (wrong state) is refused and does not end the dialog.
	u, _ := url.Parse(loc)
	q := u.Query()
	q.Set("state", "forged")
	q.Set("code", "CODE-forged")
	u.RawQuery = q.Encode()
	if resp, err := http.Get(u.String()); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("redirect with a forged state: %v %v; want 400", resp.Status, err)
	}
	resp, err = http.Get(loc)
	if err != nil {
		t.Error(err)
		return loc, ""
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return loc, string(page)
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.settings()
	pages := make(chan string, 1)
	tok, err := Browser(context.Background(), s, endpoints(t, s), nil, func(authURL string) {
		u, _ := url.Parse(authURL)
		q := u.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") ||
			q.Get("scope") != "openid offline_access" {
			t.Errorf("authorization URL %s", authURL)
		}
		go func() { _, page := browse(t, authURL); pages <- page }()
	})
	if err != nil || !strings.HasPrefix(tok.AccessToken, "AT-") || !strings.HasPrefix(tok.RefreshToken, "RT-") {
		t.Fatalf("Browser = %+v, %v", tok, err)
	}
	if page := <-pages; !strings.Contains(page, "Signed in") {
		t.Errorf("page %q", page)
	}
}

func TestBrowserRefused(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.settings()
	e := endpoints(t, s)

	f.set("deny")
	_, err := Browser(context.Background(), s, e, nil, func(u string) { go browse(t, u) })
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "access_denied") {
		t.Errorf("error %q", me.Msg)
	}

	f.set("")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Browser(ctx, s, e, nil, func(string) { time.AfterFunc(100*time.Millisecond, cancel) })
	wantCode(t, err, mapi.UserCancel, 130)

	_, err = Browser(context.Background(), s, Endpoints{TokenURL: e.TokenURL}, nil, func(string) { t.Error("opened") })
	wantCode(t, err, mapi.Unconfigured, 78)

	// The code exchange fails at the provider: 77 (invalid_grant) or 75.
	bad := e
	bad.TokenURL = closedURL(t) + "/token"
	_, err = Browser(context.Background(), s, bad, nil, func(u string) { go browse(t, u) })
	wantCode(t, err, mapi.NetworkError, 75)
}

// within runs fn and fails the test when it has not returned after d.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
	}
}

// The browser dialog ends with ctx's deadline (77, not a cancel), even when
// open never returns and no browser ever comes, and its listener is closed.
func TestBrowserDeadline(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.settings()
	e := endpoints(t, s)
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	redirects := make(chan string, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var err error
	within(t, 2*time.Second, func() {
		_, err = Browser(ctx, s, e, nil, func(authURL string) {
			u, _ := url.Parse(authURL)
			redirects <- u.Query().Get("redirect_uri")
			<-stuck // a browser launcher that hangs
		})
	})
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "not completed in time") {
		t.Errorf("error %q", me.Msg)
	}
	if resp, err := http.Get(<-redirects + "/?state=x&code=y"); err == nil {
		resp.Body.Close()
		t.Errorf("the loopback listener still answers (%s) after the dialog ended", resp.Status)
	}
}

// The device dialog ends with ctx's deadline: 77, not a cancel.
func TestDeviceDeadline(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	s := f.settings()
	e := endpoints(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var err error
	within(t, 4*time.Second, func() {
		_, err = Device(ctx, s, e, nil, func(DeviceCode) {}) // nobody signs in
	})
	me := wantCode(t, err, mapi.LogonFailed, 77)
	if !strings.Contains(me.Msg, "not completed in time") {
		t.Errorf("error %q", me.Msg)
	}
}
