// Package oauth is a TEMPORARY stub (wip/wiring) of the internal/oauth
// contract, until the real package lands on main; deleted then.
package oauth

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"time"

	"filippo.io/age"
	"golang.org/x/oauth2"
)

var errStub = errors.New("oauth: stub")

type Settings struct {
	Provider                     string
	ClientID                     string
	Tenant                       string
	Issuer                       string
	AuthURL, TokenURL, DeviceURL string
	Scopes                       []string
	ClientSecret                 string
}

func (s Settings) Configured() bool { return s.Provider != "" }

type Endpoints struct {
	AuthURL, TokenURL, DeviceURL string
	Scopes                       []string
}

func (s Settings) Resolve(ctx context.Context, hc *http.Client) (Endpoints, error) {
	return Endpoints{}, errStub
}

func Binding(s Settings, servers ...string) string { return "stub" }

type Seed struct {
	RefreshToken, AccessToken string
	Expiry                    time.Time
}

func (s Seed) Digest() string {
	if s.RefreshToken == "" && s.AccessToken == "" {
		return ""
	}
	return "stub"
}

func Path(storeRoot, profileUID, sectionUID string) string {
	return filepath.Join(storeRoot, "oauth", profileUID+"-"+sectionUID+".age")
}

type Source struct {
	Section    string
	Path       string
	Settings   Settings
	Binding    string
	Seed       Seed
	Identities []age.Identity
	Recipients []string
	HTTP       *http.Client
	Timeout    time.Duration
	Now        func() time.Time
}

func (s *Source) Token(ctx context.Context) (string, error)                   { return "", errStub }
func (s *Source) Refresh(ctx context.Context, refused string) (string, error) { return "", errStub }
func (s *Source) Expiry(ctx context.Context) (time.Time, error)               { return time.Time{}, errStub }

func Save(ctx context.Context, path string, tok *oauth2.Token, binding, seedDigest string, recipients []string) error {
	return errStub
}
func Reseal(ctx context.Context, path string, ids []age.Identity, recipients []string) error {
	return errStub
}
func Remove(path string) error { return errStub }

type DeviceCode struct {
	VerificationURI, VerificationURIComplete, UserCode string
	Expires                                            time.Time
}

func Device(ctx context.Context, s Settings, e Endpoints, hc *http.Client, show func(DeviceCode)) (*oauth2.Token, error) {
	return nil, errStub
}
func Browser(ctx context.Context, s Settings, e Endpoints, hc *http.Client, open func(authURL string)) (*oauth2.Token, error) {
	return nil, errStub
}
