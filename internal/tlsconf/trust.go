package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// Settings are a section's TLS trust settings as the user wrote them.
type Settings struct {
	// Host is the server name certificates are verified against (SNI too).
	Host string
	// CAFile names a PEM file of CA certificates trusted besides the
	// system roots; "" means the system roots alone.
	CAFile string
	// Fingerprint pins the server's leaf certificate: its SHA-256 in hex,
	// colons and case ignored. When set, it replaces chain verification.
	Fingerprint string
	// InsecureSkipVerify accepts any certificate (ignored when pinned).
	InsecureSkipVerify bool
}

// Trust is validated [Settings]: what a client needs to build a
// [*tls.Config] for each connection.
type Trust struct {
	host     string
	pin      []byte // 32 bytes when pinned
	roots    *x509.CertPool
	insecure bool
}

// SettingError is a [Settings] value that cannot be used. Its message names
// the setting and never holds a secret; Unwrap gives the cause, if any
// (e.g. the error reading the CA file).
type SettingError struct {
	Msg string
	Err error
}

func (e *SettingError) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *SettingError) Unwrap() error { return e.Err }

// New validates s: the fingerprint first, then the CA file (read now, once).
// Errors are *SettingError; on error the returned *Trust is nil.
func New(s Settings) (*Trust, error) {
	t := &Trust{host: s.Host, insecure: s.InsecureSkipVerify}
	if s.Fingerprint != "" {
		pin, err := parsePin(s.Fingerprint)
		if err != nil {
			return nil, err
		}
		t.pin = pin
	}
	if s.CAFile != "" {
		roots, err := loadRoots(s.CAFile)
		if err != nil {
			return nil, err
		}
		t.roots = roots
	}
	return t, nil
}

// parsePin decodes a SHA-256 fingerprint in hex, colons and case ignored.
func parsePin(fp string) ([]byte, error) {
	pin, err := hex.DecodeString(strings.ToLower(strings.ReplaceAll(fp, ":", "")))
	if err != nil || len(pin) != 32 {
		return nil, &SettingError{Msg: "tls fingerprint must be a sha-256 digest in hex"}
	}
	return pin, nil
}

// loadRoots builds the verification pool: the system roots (an empty pool
// where there are none) plus every certificate in the PEM file caFile.
func loadRoots(caFile string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, &SettingError{Msg: fmt.Sprintf("cannot read ca file %q", caFile), Err: err}
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &SettingError{Msg: fmt.Sprintf("no pem certificate in ca file %q", caFile)}
	}
	return pool, nil
}

// Config returns a fresh client configuration for one connection: TLS 1.2
// or later, ServerName the host; the certificate chain verified against
// the roots, or (pinned) only the leaf's fingerprint compared, or (insecure,
// not pinned) nothing checked. A pin that does not match fails the
// handshake with a *PinMismatchError.
func (t *Trust) Config() *tls.Config {
	cfg := &tls.Config{ServerName: t.host, RootCAs: t.roots, MinVersion: tls.VersionTLS12}
	switch {
	case t.pin != nil:
		pin := t.pin
		cfg.InsecureSkipVerify = true // replaced by the pin check
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return checkPin(cs, pin)
		}
	case t.insecure:
		cfg.InsecureSkipVerify = true
	}
	return cfg
}

// Pinned reports whether a fingerprint is pinned.
func (t *Trust) Pinned() bool { return t.pin != nil }

// Verified reports whether a connection made with [Trust.Config] is
// authenticated (a pinned leaf or a verified chain), i.e. safe for
// credentials once the connection is encrypted.
func (t *Trust) Verified() bool { return t.pin != nil || !t.insecure }
