package account

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"golang.org/x/oauth2"
)

// oauthProfile is profile "w" (owned by id) with section "o2", SMTP and
// IMAP, logging on with OAuth 2.0, and no secure range.
func oauthProfile(t *testing.T, id *age.X25519Identity) (*profile.Profile, *profile.Section) {
	t.Helper()
	p := profile.New("w", []string{id.Recipient().String()})
	s, err := p.AddSection("o2", profile.KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	for tag, v := range map[mapi.Tag]any{
		mapi.PrEmailAddress: "dana@example.com", mapi.PrSMTPHost: "smtp.example.com",
		mapi.PrInbound: "imap", mapi.PrInboundHost: "imap.example.com",
		mapi.PrOAuth2Provider: "custom", mapi.PrOAuth2ClientID: "mapictl",
		mapi.PrOAuth2TokenURL: "https://id.example.com/token", mapi.PrOAuth2Scopes: []string{"mail", "offline_access"},
	} {
		s.Props[tag] = v
	}
	return p, s
}

// An OAuth 2.0 section is never prompted: with neither a token file nor a
// seed it is 78 with the hint to sign in; with a seed in its secure range
// (or a token file) its credentials carry the token supply and the user
// name defaults to the email, on both sides. Under a session the
// snapshot's seed is used, and the section's settings and seed survive
// the snapshot.
func TestResolverOAuth2(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	p, s := oauthProfile(t, id)
	root := t.TempDir()
	r := &Resolver{StoreRoot: root, ProfileName: func() (string, error) { return "w", nil },
		LoadProfile: func(string) (*profile.Profile, error) { return p, nil },
		Identities:  func() ([]age.Identity, error) { return ids, nil },
		Prompt: func(*Account, Credentials) (Credentials, error) {
			t.Fatal("an OAuth 2.0 section was prompted for")
			return Credentials{}, nil
		}}
	a, err := r.Sending("o2")
	if err != nil || a.ProfileUID != p.UID || !a.IsOAuth2() {
		t.Fatalf("Sending: %+v, %v", a, err)
	}
	for _, get := range []func(*Account) (Credentials, error){r.Credentials, r.InboundCredentials} {
		_, err := get(a)
		if e := mapi.AsError(err); exitOf(err) != 78 || !strings.Contains(e.Msg, `no OAuth 2.0 tokens for section "o2"`) ||
			!slices.Contains(e.Hints, "sign in with 'mapictl credential oauth2 o2'") {
			t.Errorf("no tokens, no seed: %v %q; want 78 and the hint", err, e.Hints)
		}
	}

	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrOAuth2RefreshToken: "seed-rt", mapi.PrOAuth2Token: "seed-at",
		mapi.PrOAuth2Expiry: exp, mapi.PrOAuth2ClientSecret: "cs"}); err != nil {
		t.Fatal(err)
	}
	a, _ = r.Sending("o2")
	c, err := r.Credentials(a)
	if err != nil || c.OAuth2 == nil || c.Username != "dana@example.com" || c.OAuth2RefreshToken != "seed-rt" ||
		!c.OAuth2Expiry.Equal(exp) || c.OAuth2ClientSecret != "cs" {
		t.Fatalf("with a seed: %+v, %v", c, err)
	}
	if cfg := a.TransportConfig(c, ""); cfg.Credentials.OAuth2 == nil || cfg.Credentials.OAuth2Token != "" {
		t.Errorf("transport credentials %+v: want the supply, not the seed's token", cfg.Credentials)
	}
	if ic, err := r.InboundCredentials(a); err != nil || ic.OAuth2 == nil || a.InboundConfig(ic).Credentials.Username != "dana@example.com" {
		t.Errorf("inbound: %+v, %v", ic, err)
	}

	// The snapshot keeps the settings, the seed and the client secret.
	ss := session.SectionSnapshot{Settings: a.Settings(), Credentials: c.Snapshot(), Address: a.Email}
	b, _ := json.Marshal(ss)
	var back session.SectionSnapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	snap := &session.Snapshot{ID: "s1", Profile: "w", ProfileUID: p.UID, Sections: []session.SectionSnapshot{back}}
	k, _ := age.GenerateX25519Identity()
	snap.Key = k
	sa := FromSnapshot(snap, &snap.Sections[0])
	if !reflect.DeepEqual(sa.OAuth2, a.OAuth2) || sa.TokenBinding() != a.TokenBinding() || sa.TokenPath(root) != a.TokenPath(root) {
		t.Errorf("from the snapshot: %+v; want %+v", sa.OAuth2, a.OAuth2)
	}
	rs := &Resolver{Session: snap, StoreRoot: root, Identities: func() ([]age.Identity, error) {
		t.Fatal("identities loaded under a session")
		return nil, nil
	}}
	sc, err := rs.Credentials(sa)
	if err != nil || sc.OAuth2 == nil || sc.OAuth2RefreshToken != "seed-rt" || sc.OAuth2ClientSecret != "cs" {
		t.Errorf("under the session: %+v, %v", sc, err)
	}
}

// The binding covers the oauth2.* settings and each server a token goes
// to, ports filled in as the clients fill them, with the TLS settings
// that decide who receives it (finding 4): a token file written for the
// settings yields no token once any of them changed (77
// MAPI_E_NO_ACCESS, the provider not asked). The client secret is no part
// of it; an explicit default security is none either.
func TestTokenBinding(t *testing.T) {
	ctx := context.Background()
	srv := tokenEndpoint(t)
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	section := func() (*profile.Profile, *profile.Section) {
		p, s := oauthProfile(t, id)
		s.Props[mapi.PrOAuth2TokenURL] = srv.URL + "/token"
		return p, s
	}
	_, s := section()
	a := FromSection("w", s, "/store")
	want := []string{
		`{"side":"smtp","addr":"smtp.example.com:587","security":"starttls","ca-file":"","tls-fingerprint":"","insecure-skip-verify":false,"allow-insecure-auth":false}`,
		`{"side":"imap","addr":"imap.example.com:993","security":"tls","ca-file":"","tls-fingerprint":"","insecure-skip-verify":false,"allow-insecure-auth":false}`,
	}
	if got := a.TokenServers(); !slices.Equal(got, want) {
		t.Errorf("TokenServers %q; want %q", got, want)
	}
	base := a.TokenBinding()
	for name, v := range map[mapi.Tag]any{mapi.PrSMTPSecurity: "starttls", mapi.PrOAuth2ClientSecret: "cs", mapi.PrSMTPHost: "SMTP.example.com"} {
		_, s := section()
		s.Props[name] = v
		if FromSection("w", s, "/store").TokenBinding() != base {
			t.Errorf("%v=%v changed the binding", name, v)
		}
	}
	for name, change := range map[string]func(*profile.Section){
		"smtp.host":                    func(s *profile.Section) { s.Props[mapi.PrSMTPHost] = "evil.example.com" },
		"smtp.port":                    func(s *profile.Section) { s.Props[mapi.PrSMTPPort] = int32(2525) },
		"smtp.security":                func(s *profile.Section) { s.Props[mapi.PrSMTPSecurity] = "none" },
		"smtp.ca-file":                 func(s *profile.Section) { s.Props[mapi.PrSMTPCAFile] = "/tmp/evil-ca.pem" },
		"smtp.tls-fingerprint":         func(s *profile.Section) { s.Props[mapi.PrSMTPFingerprint] = "ab:cd" },
		"smtp.insecure-skip-verify":    func(s *profile.Section) { s.Props[mapi.PrSMTPInsecure] = true },
		"smtp.allow-insecure-auth":     func(s *profile.Section) { s.Props[mapi.PrSMTPInsecureAuth] = true },
		"inbound.host":                 func(s *profile.Section) { s.Props[mapi.PrInboundHost] = "evil.example.com" },
		"inbound.port":                 func(s *profile.Section) { s.Props[mapi.PrInboundPort] = int32(1993) },
		"inbound.security":             func(s *profile.Section) { s.Props[mapi.PrInboundSecurity] = "starttls" },
		"inbound.ca-file":              func(s *profile.Section) { s.Props[mapi.PrInboundCAFile] = "/tmp/evil-ca.pem" },
		"inbound.tls-fingerprint":      func(s *profile.Section) { s.Props[mapi.PrInboundFingerprint] = "ab:cd" },
		"inbound.insecure-skip-verify": func(s *profile.Section) { s.Props[mapi.PrInboundInsecure] = true },
		"inbound.allow-insecure-auth":  func(s *profile.Section) { s.Props[mapi.PrInboundInsecureAuth] = true },
		"oauth2.token-url":             func(s *profile.Section) { s.Props[mapi.PrOAuth2TokenURL] = "https://evil.example.com/token" },
		"oauth2.client-id":             func(s *profile.Section) { s.Props[mapi.PrOAuth2ClientID] = "other" },
	} {
		p, s := section()
		root := t.TempDir()
		// Tokens issued for the settings as they were, the access token
		// expired: a refresh would be the first thing done.
		stale := &oauth2.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(-time.Hour)}
		if err := oauth.Save(ctx, TokenFile(root, p.UID, s.UID), stale, base, "", srv.URL+"/token", nil, fixedRecipients(id.Recipient().String())); err != nil {
			t.Fatal(err)
		}
		change(s)
		r := &Resolver{StoreRoot: root, ProfileName: func() (string, error) { return "w", nil },
			LoadProfile: func(string) (*profile.Profile, error) { return p, nil },
			Identities:  func() ([]age.Identity, error) { return ids, nil }}
		a, err := r.Sending("o2")
		if err != nil {
			t.Fatal(err)
		}
		for side, get := range map[string]func(*Account) (Credentials, error){"smtp": r.Credentials, "inbound": r.InboundCredentials} {
			c, err := get(a)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			tok, err := c.OAuth2.Token(ctx)
			if tok != "" || !mapi.IsCode(err, mapi.NoAccess) || !strings.Contains(err.Error(), "changed since its tokens were issued") {
				t.Errorf("%s changed, %s side: %q, %v; want no token, MAPI_E_NO_ACCESS", name, side, tok, err)
			}
		}
	}
	if srv.Config.Handler.(*countingHandler).n.Load() != 0 {
		t.Error("the provider was asked for a token after a change")
	}
}

// idleContext ends an IDLE Renew before the token expires, at the latest
// halfway through its remaining life; without a token supply it does not end.
func TestIdleContext(t *testing.T) {
	stop := context.Background()
	w := &watcher{o: WatchOptions{Renew: time.Minute}, stop: stop}
	ctx, cancel := w.idleContext()
	if _, ok := ctx.Deadline(); ok {
		t.Error("a deadline without OAuth 2.0")
	}
	cancel()
	for _, tc := range []struct{ life, want time.Duration }{{time.Hour, 59 * time.Minute}, {10 * time.Second, 5 * time.Second}} {
		w.creds.OAuth2 = fakeExpiry(time.Now().Add(tc.life))
		ctx, cancel := w.idleContext()
		d, ok := ctx.Deadline()
		cancel()
		if got := time.Until(d); !ok || got > tc.want || got < tc.want-time.Second {
			t.Errorf("token living %v: IDLE ends in %v; want %v", tc.life, got, tc.want)
		}
	}
}

type fakeExpiry time.Time

func (f fakeExpiry) Token(context.Context) (string, error)           { return "t", nil }
func (f fakeExpiry) Refresh(context.Context, string) (string, error) { return "t", nil }
func (f fakeExpiry) Expiry(context.Context) (time.Time, error)       { return time.Time(f), nil }
