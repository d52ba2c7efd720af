package account

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
)

// A sign-in nobody completes ends at the deadline with 77 "sign-in not
// completed" and writes no token file, in both dialogs (finding 7).
func TestSignInDeadline(t *testing.T) {
	t.Parallel()
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/device":
			w.Write([]byte(`{"device_code":"dc","user_code":"UC","verification_uri":"https://id.example.com/device","expires_in":900,"interval":1}`))
		case "/token":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"authorization_pending"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer provider.Close()
	id, _ := age.GenerateX25519Identity()
	p, s := oauthProfile(t, id)
	s.Props[mapi.PrOAuth2TokenURL] = provider.URL + "/token"
	s.Props[mapi.PrOAuth2DeviceURL] = provider.URL + "/device"
	s.Props[mapi.PrOAuth2AuthURL] = provider.URL + "/authorize"
	for _, browser := range []bool{false, true} {
		root := t.TempDir()
		a := FromSection("w", s, root)
		a.ProfileUID = p.UID
		shown := false
		o := SignInOptions{StoreRoot: root, IDs: []age.Identity{id}, Browser: browser, Now: time.Now(),
			Deadline: 300 * time.Millisecond,
			Show:     func(oauth.DeviceCode) { shown = true },
			Open:     func(string) { shown = true }}
		start := time.Now()
		_, err := SignIn(context.Background(), a, o)
		if e := mapi.AsError(err); !mapi.IsCode(err, mapi.LogonFailed) || !strings.Contains(e.Msg, "sign-in not completed") {
			t.Errorf("browser=%v: %v; want 77 sign-in not completed", browser, err)
		}
		if d := time.Since(start); d > 10*time.Second || !shown {
			t.Errorf("browser=%v: ended after %v, shown %v", browser, d, shown)
		}
		if files, _ := filepath.Glob(filepath.Join(root, "oauth", "*.age")); len(files) != 0 {
			t.Errorf("browser=%v: token files %q", browser, files)
		}
	}
	// ctx cancelled (Ctrl-C) stays 130.
	ctx, cancel := context.WithCancel(context.Background())
	a := FromSection("w", s, t.TempDir())
	a.ProfileUID = p.UID
	o := SignInOptions{StoreRoot: t.TempDir(), IDs: []age.Identity{id}, Show: func(oauth.DeviceCode) { cancel() }}
	if _, err := SignIn(ctx, a, o); !mapi.IsCode(err, mapi.UserCancel) {
		t.Errorf("cancelled: %v; want 130", err)
	}
}
