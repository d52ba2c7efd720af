package oauth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Binding is the hex SHA-256 of what tokens are issued for: s without its
// client secret, and the servers they are presented to. Each server is one
// string that the caller makes of everything that decides where a token
// goes and how it is protected on the way: its host and port and its TLS
// settings (security, ca-file, tls-fingerprint, insecure-skip-verify,
// allow-insecure-auth). The strings are compared exactly (a caller that
// wants a host's case ignored lowercases it); their order and duplicates
// do not matter. A token file records the binding; a Source whose Binding
// differs gets no token from it (77): a token is never sent to a changed
// token URL or server, nor over weaker TLS. A token URL found by discovery
// is not in s: the file records it apart ([Save]).
func Binding(s Settings, servers ...string) string {
	srv := slices.Clone(servers)
	slices.Sort(srv)
	srv = slices.Compact(srv)
	b, _ := json.Marshal(struct {
		V                            string
		Provider, ClientID, Tenant   string
		Issuer                       string
		AuthURL, TokenURL, DeviceURL string
		Scopes                       []string
		Servers                      []string
	}{"mapictl oauth2 binding 1", s.Provider, s.ClientID, s.Tenant, s.Issuer,
		s.AuthURL, s.TokenURL, s.DeviceURL, s.Scopes, srv})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Seed is what a section's secure range holds to start a token file
// (oauth2.refresh-token 0x67F5, oauth2-token 0x67F2, oauth2.expiry 0x67F7).
type Seed struct {
	RefreshToken, AccessToken string
	Expiry                    time.Time
}

// Digest is the hex SHA-256 of the seed, "" when both tokens are empty (no
// seed). A token file records the digests of every seed it was started
// from; a seed whose digest it does not hold starts it anew.
func (s Seed) Digest() string {
	if s.RefreshToken == "" && s.AccessToken == "" {
		return ""
	}
	exp := ""
	if !s.Expiry.IsZero() {
		exp = s.Expiry.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal([]string{"mapictl oauth2 seed 1", s.RefreshToken, s.AccessToken, exp})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Path is the token file of a section:
// <store>/oauth/<profile uid>-<section uid>.age. Its directory is made
// 0700 when the file is first written.
func Path(storeRoot, profileUID, sectionUID string) string {
	return filepath.Join(storeRoot, "oauth", profileUID+"-"+sectionUID+".age")
}

// lockPath is the lock beside a token file: <name>.lock.
func lockPath(path string) string {
	return strings.TrimSuffix(path, ".age") + ".lock"
}
