package account

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// OAuth 2.0 (SPEC §8): an account whose section sets oauth2.provider logs
// on with bearer tokens, never with a password, and is never prompted for
// one. Its tokens live in the store's token file (oauth.Path), seeded by
// the secure range's oauth2.refresh-token; a Resolver attaches the token
// supply to the account's Credentials (Credentials.OAuth2), which the
// transports present (OAUTHBEARER or XOAUTH2).

// oauthOf reads the oauth2.* settings of section s; the client secret is
// the secure range's, added by [Account.oauthSettings].
func oauthOf(s *profile.Section) oauth.Settings {
	scopes, _ := s.Props[mapi.PrOAuth2Scopes].([]string)
	return oauth.Settings{
		Provider: s.String(mapi.PrOAuth2Provider), ClientID: s.String(mapi.PrOAuth2ClientID),
		Tenant: s.String(mapi.PrOAuth2Tenant), Issuer: s.String(mapi.PrOAuth2Issuer),
		AuthURL: s.String(mapi.PrOAuth2AuthURL), TokenURL: s.String(mapi.PrOAuth2TokenURL),
		DeviceURL: s.String(mapi.PrOAuth2DeviceURL), Scopes: scopes,
	}
}

// oauthSnapshot is o as a session file keeps it; nil when o is not
// configured.
func oauthSnapshot(o oauth.Settings) *session.OAuth2Settings {
	if !o.Configured() {
		return nil
	}
	return &session.OAuth2Settings{Provider: o.Provider, ClientID: o.ClientID, Tenant: o.Tenant, Issuer: o.Issuer,
		AuthURL: o.AuthURL, TokenURL: o.TokenURL, DeviceURL: o.DeviceURL, Scopes: o.Scopes}
}

// oauthFromSnapshot is the inverse of [oauthSnapshot].
func oauthFromSnapshot(st *session.OAuth2Settings) oauth.Settings {
	if st == nil {
		return oauth.Settings{}
	}
	return oauth.Settings{Provider: st.Provider, ClientID: st.ClientID, Tenant: st.Tenant, Issuer: st.Issuer,
		AuthURL: st.AuthURL, TokenURL: st.TokenURL, DeviceURL: st.DeviceURL, Scopes: st.Scopes}
}

// IsOAuth2 reports whether a logs on with OAuth 2.0 (oauth2.provider set).
func (a *Account) IsOAuth2() bool { return a.OAuth2.Configured() }

// needsToken reports whether a logs on with OAuth 2.0 on a side that logs
// on at all (SMTP with auth other than none, or an inbound side).
func (a *Account) needsToken() bool {
	return a.IsOAuth2() && (a.NeedsCredentials() || a.InboundNeedsCredentials())
}

// oauthSettings are a's oauth2.* settings with the client secret of creds.
func (a *Account) oauthSettings(creds Credentials) oauth.Settings {
	s := a.OAuth2
	s.ClientSecret = creds.OAuth2ClientSecret
	return s
}

// TokenServers are the servers a's tokens are presented to, one string
// each as its token binding covers it ([Account.TokenBinding]): its SMTP
// server (transport smtp) and its inbound server, each with the side, the
// address "host:port" (ports filled in as the clients fill them), and the
// TLS settings that decide who receives the token: security, ca-file,
// tls-fingerprint, insecure-skip-verify and allow-insecure-auth.
func (a *Account) TokenServers() []string {
	var out []string
	if a.Transport == "smtp" {
		o := a.Outbound.SMTP
		out = append(out, tokenServer{Side: "smtp", Addr: net.JoinHostPort(strings.ToLower(o.Host), strconv.Itoa(smtpPort(o))),
			Security: or(o.Security, "starttls"), CAFile: o.CAFile, Fingerprint: o.Fingerprint,
			InsecureSkipVerify: o.InsecureSkipVerify, AllowInsecureAuth: o.AllowInsecureAuth}.String())
	}
	if a.HasInbound() {
		in := a.Inbound
		out = append(out, tokenServer{Side: in.Protocol, Addr: net.JoinHostPort(strings.ToLower(in.Host), strconv.Itoa(in.Port)),
			Security: in.Security, CAFile: in.CAFile, Fingerprint: in.Fingerprint,
			InsecureSkipVerify: in.InsecureSkipVerify, AllowInsecureAuth: in.AllowInsecureAuth}.String())
	}
	return out
}

// tokenServer is one server of [Account.TokenServers].
type tokenServer struct {
	Side               string `json:"side"` // smtp, imap or pop3
	Addr               string `json:"addr"` // host:port
	Security           string `json:"security"`
	CAFile             string `json:"ca-file"`
	Fingerprint        string `json:"tls-fingerprint"`
	InsecureSkipVerify bool   `json:"insecure-skip-verify"`
	AllowInsecureAuth  bool   `json:"allow-insecure-auth"`
}

// String is t as one JSON object: no setting can run into another.
func (t tokenServer) String() string {
	b, _ := json.Marshal(t)
	return string(b)
}

// smtpPort is the port the SMTP client dials: smtp.port, else the one
// smtp.security implies (profile.Section.SMTPPort's rule).
func smtpPort(s SMTP) int {
	switch {
	case s.Port != 0:
		return s.Port
	case s.Security == "tls":
		return 465
	case s.Security == "none":
		return 25
	}
	return 587
}

// TokenBinding is the binding a's token file records (oauth.Binding): its
// oauth2.* settings and the servers of [Account.TokenServers], TLS
// settings included. A token is never presented once any of them changed
// (77).
func (a *Account) TokenBinding() string { return oauth.Binding(a.OAuth2, a.TokenServers()...) }

// TokenPath is a's token file in the store at storeRoot:
// <store>/oauth/<profile uid>-<section uid>.age. A copied profile has
// another uid, so it never shares the file.
func (a *Account) TokenPath(storeRoot string) string {
	return TokenFile(storeRoot, a.ProfileUID, a.UID)
}

// TokenFile is the token file of section sectionUID of profile profileUID
// in the store at storeRoot ([Account.TokenPath]).
func TokenFile(storeRoot, profileUID, sectionUID string) string {
	return oauth.Path(storeRoot, profileUID, sectionUID)
}

// RemoveTokens deletes the token file path (`credential delete`) under its
// lock, and reports whether there was one. Errors: those of oauth.Remove.
func RemoveTokens(path string) (bool, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return true, oauth.Remove(path)
}

// seedOf is the OAuth 2.0 seed creds carry (the secure range's, or the
// session snapshot's copy of it).
func seedOf(c Credentials) oauth.Seed {
	return oauth.Seed{RefreshToken: c.OAuth2RefreshToken, AccessToken: c.OAuth2Token, Expiry: c.OAuth2Expiry}
}

// SASLUser is the user name a's tokens are presented with on the outbound
// side (SPEC §8): the section's username, else its email. The inbound side
// takes inbound.username first ([Credentials.Inbound]).
func (a *Account) SASLUser(c Credentials) string { return or(c.Username, a.Email) }

// tokenKeys are who opens and who seals an account's token file in one
// process.
type tokenKeys struct {
	storeRoot string
	// ids open the token file: the store's identities, or under a session
	// its key alone.
	ids []age.Identity
	// stored are the store's identities (nil under a session): the
	// recipients of identity.pub when that file is missing.
	stored []age.Identity
	// snap is the current session (nil for none).
	snap *session.Snapshot
	// now is the clock sessions expire by; nil is time.Now. Tokens expire
	// by the real clock.
	now func() time.Time
}

// withOAuth2 returns creds with a's token supply attached (Credentials.OAuth2)
// and the user name defaulted to the section's email. Errors:
// MAPI_E_UNCONFIGURED (78) when there is neither a token file nor a seed
// (hint: run `credential oauth2`), or when a has no profile uid (a session
// logged on by an older mapictl); MAPI_E_DISK_ERROR when the token file
// cannot be looked at.
func (a *Account) withOAuth2(creds Credentials, k tokenKeys) (Credentials, error) {
	if a.ProfileUID == "" {
		return creds, mapi.Errorf(mapi.Unconfigured, "the session was logged on by an older mapictl and holds no OAuth 2.0 tokens for section %q", a.Name).
			WithHint("log on again with 'mapictl session logon'")
	}
	path := a.TokenPath(k.storeRoot)
	seed := seedOf(creds)
	if seed.Digest() == "" {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return creds, errNoTokens(a.Name)
		} else if err != nil {
			return creds, mapi.Wrap(mapi.DiskError, err, "look at the OAuth 2.0 token file of section "+quote(a.Name))
		}
	}
	creds.Username = a.SASLUser(creds)
	now := k.now
	if now == nil {
		now = time.Now
	}
	src := &oauth.Source{Section: a.Name, Path: path, Settings: a.oauthSettings(creds), Binding: a.TokenBinding(),
		Seed: seed, Identities: k.ids, Timeout: a.Outbound.Timeout}
	cleanup := &resealer{storeRoot: k.storeRoot, tries: [][]age.Identity{k.ids}, stored: k.stored, snap: k.snap, now: now}
	creds.OAuth2 = newTokenSupply(src, cleanup, func() ([]string, []session.Meta, error) {
		return tokenRecipients(k.storeRoot, a.ProfileUID, a.UID, k.stored, k.snap, now())
	})
	return creds, nil
}

// errNoTokens is the error of an OAuth 2.0 section with neither a token
// file nor a seed.
func errNoTokens(section string) error {
	return mapi.Errorf(mapi.Unconfigured, "no OAuth 2.0 tokens for section %q", section).
		WithHint("sign in with 'mapictl credential oauth2 " + textsafe.ShellArg(section) + "'")
}
