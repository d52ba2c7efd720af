package transport

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// smtpSettings is a validated SMTPConfig with defaults applied.
type smtpSettings struct {
	addr     string // host:port
	host     string
	port     int
	security string // "starttls", "tls", "none"
	auth     string // "auto", "scram-sha-256", "plain", "login", "oauthbearer", "xoauth2", "none"
	helo     string
	trust    *tlsconf.Trust
	allowIns bool   // AllowInsecureAuth
	section  string // Config.Section, for hints
}

// smtpSettingsFrom validates c.SMTP (KindConfig errors, never echoing a
// credential).
func smtpSettingsFrom(c Config) (*smtpSettings, error) {
	sc := c.SMTP
	s := &smtpSettings{host: sc.Host, security: strings.ToLower(sc.Security),
		auth: strings.ToLower(sc.Auth), allowIns: sc.AllowInsecureAuth, section: c.Section}
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
	s.port, s.addr = port, net.JoinHostPort(s.host, strconv.Itoa(port))
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
	trust, err := tlsconf.New(tlsconf.Settings{Host: s.host, CAFile: sc.CAFile,
		Fingerprint: sc.TLSFingerprint, InsecureSkipVerify: sc.InsecureSkipVerify})
	if err != nil {
		return nil, settingErr(err)
	}
	s.trust = trust
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
	case "oauthbearer", "xoauth2":
		if !holdsToken(cr) {
			return configErr(fmt.Sprintf("smtp auth %s needs an oauth2 token", s.auth))
		}
	default:
		return configErr(fmt.Sprintf("unknown smtp auth mechanism %q", raw))
	}
	return nil
}

// settingErr turns a *tlsconf.SettingError into a KindConfig *Error with
// the same message and cause.
func settingErr(err error) *Error {
	e := configErr(err.Error())
	e.Err = errors.Unwrap(err)
	return e
}

// verified reports whether a connection made with the settings is
// encrypted and authenticated (CA chain or pin), i.e. safe for AUTH.
func (s *smtpSettings) verified() bool {
	return s.security != "none" && s.trust.Verified()
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
