package transport

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// smtpSettings is a validated SMTPConfig with defaults applied.
type smtpSettings struct {
	addr     string // host:port
	host     string
	security string // "starttls", "tls", "none"
	auth     string // "auto", "scram-sha-256", "plain", "login", "xoauth2", "none"
	helo     string
	pin      []byte // 32 bytes when pinned
	roots    *x509.CertPool
	insecure bool // InsecureSkipVerify
	allowIns bool // AllowInsecureAuth
}

// smtpSettingsFrom validates c.SMTP (KindConfig errors, never echoing a
// credential).
func smtpSettingsFrom(c Config) (*smtpSettings, error) {
	sc := c.SMTP
	s := &smtpSettings{host: sc.Host, security: strings.ToLower(sc.Security),
		auth: strings.ToLower(sc.Auth), insecure: sc.InsecureSkipVerify,
		allowIns: sc.AllowInsecureAuth}
	if s.host == "" {
		return nil, configErr("smtp host not set")
	}
	if strings.ContainsAny(s.host, " \t\r\n/") {
		return nil, configErr(fmt.Sprintf("invalid smtp host %q", s.host))
	}
	port := sc.Port
	switch s.security {
	case "", "starttls":
		s.security = "starttls"
		port = orDefault(port, 587)
	case "tls":
		port = orDefault(port, 465)
	case "none":
		port = orDefault(port, 25)
	default:
		return nil, configErr(fmt.Sprintf("unknown smtp security %q (want starttls, tls or none)", sc.Security))
	}
	if port < 1 || port > 65535 {
		return nil, configErr(fmt.Sprintf("invalid smtp port %d", port))
	}
	s.addr = net.JoinHostPort(s.host, strconv.Itoa(port))
	if err := s.checkAuth(sc.Auth, c.Credentials); err != nil {
		return nil, err
	}
	s.helo = sc.Helo
	if s.helo == "" {
		s.helo = hostname(c.Hostname)
	}
	if strings.ContainsAny(s.helo, " \t\r\n") {
		return nil, configErr(fmt.Sprintf("invalid helo name %q", s.helo))
	}
	if sc.TLSFingerprint != "" {
		fp := strings.ToLower(strings.ReplaceAll(sc.TLSFingerprint, ":", ""))
		pin, err := hex.DecodeString(fp)
		if err != nil || len(pin) != 32 {
			return nil, configErr("tls fingerprint must be a sha-256 digest in hex")
		}
		s.pin = pin
	}
	if err := s.loadRoots(sc.CAFile); err != nil {
		return nil, err
	}
	return s, nil
}

// checkAuth validates the mechanism against the credentials held.
func (s *smtpSettings) checkAuth(raw string, cr Credentials) error {
	hasPass := cr.Username != "" && cr.Password != ""
	switch s.auth {
	case "":
		s.auth = "auto"
	case "auto", "none":
	case "scram-sha-256", "plain", "login":
		if !hasPass {
			return configErr(fmt.Sprintf("smtp auth %s needs a username and password", s.auth))
		}
	case "xoauth2":
		if cr.OAuth2Token == "" {
			return configErr("smtp auth xoauth2 needs an oauth2 token")
		}
	default:
		return configErr(fmt.Sprintf("unknown smtp auth mechanism %q", raw))
	}
	return nil
}

// loadRoots builds the verification pool: system roots plus CAFile.
func (s *smtpSettings) loadRoots(caFile string) error {
	if caFile == "" {
		return nil // nil RootCAs = system roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		e := configErr(fmt.Sprintf("cannot read ca file %q", caFile))
		e.Err = err
		return e
	}
	if !pool.AppendCertsFromPEM(pem) {
		return configErr(fmt.Sprintf("no pem certificate in ca file %q", caFile))
	}
	s.roots = pool
	return nil
}

// tlsConfig returns the client TLS configuration for one connection.
func (s *smtpSettings) tlsConfig() *tls.Config {
	cfg := &tls.Config{ServerName: s.host, RootCAs: s.roots, MinVersion: tls.VersionTLS12}
	switch {
	case s.pin != nil:
		cfg.InsecureSkipVerify = true // replaced by the pin check below
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return checkPin(cs, s.pin)
		}
	case s.insecure:
		cfg.InsecureSkipVerify = true
	}
	return cfg
}

// verified reports whether a TLS connection made with tlsConfig is
// authenticated (CA chain or pin), i.e. safe for AUTH.
func (s *smtpSettings) verified() bool {
	return s.security != "none" && (s.pin != nil || !s.insecure)
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// hostname returns h, else os.Hostname, else "localhost".
func hostname(h string) string {
	if h != "" {
		return h
	}
	if n, err := os.Hostname(); err == nil && n != "" {
		return n
	}
	return "localhost"
}
