package transport

import (
	"fmt"
	"strings"
	"time"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// imapSettings is a validated InboundConfig for IMAP with defaults applied.
type imapSettings struct {
	addr     string // host:port
	host     string
	port     int
	security string // "tls", "starttls", "none"
	auth     string // "auto", "scram-sha-256", "plain", "login", "xoauth2", "oauthbearer", "none"
	mailbox  string
	trust    *tlsconf.Trust
	allowIns bool
	creds    Credentials
	timeout  time.Duration
	section  string // InboundConfig.Section, for hints
}

// imapSettingsFrom validates c (KindConfig errors of stage "config", never
// echoing a credential).
func imapSettingsFrom(c InboundConfig) (*imapSettings, error) {
	s := &imapSettings{host: c.Host, security: strings.ToLower(c.Security),
		auth: strings.ToLower(c.Auth), mailbox: c.Mailbox, allowIns: c.AllowInsecureAuth,
		creds: c.Credentials, timeout: c.Timeout, section: c.Section}
	if p := strings.ToLower(c.Protocol); p != "" && p != "imap" {
		return nil, configErr(fmt.Sprintf("inbound protocol %q is not imap", c.Protocol))
	}
	ep, err := inboundEndpointFrom(c, 993, 143)
	if err != nil {
		return nil, err
	}
	s.addr, s.host, s.port, s.security, s.trust = ep.addr, ep.host, ep.port, ep.security, ep.trust
	if s.mailbox == "" {
		s.mailbox = "INBOX"
	}
	if strings.ContainsAny(s.mailbox, "\r\n\x00") {
		return nil, configErr(fmt.Sprintf("invalid inbound mailbox %q", s.mailbox))
	}
	if s.timeout < 0 {
		return nil, configErr("negative timeout")
	}
	if s.timeout == 0 {
		s.timeout = defaultTimeout
	}
	if err := s.checkAuth(c.Auth); err != nil {
		return nil, err
	}
	return s, nil
}

// checkAuth validates the mechanism against the credentials held.
func (s *imapSettings) checkAuth(raw string) error {
	cr := s.creds
	hasPass := cr.Username != "" && cr.Password != ""
	switch s.auth {
	case "":
		s.auth = "auto"
	case "auto", "none":
	case "scram-sha-256", "plain", "login":
		if !hasPass {
			return configErr(fmt.Sprintf("inbound auth %s needs a username and password", s.auth))
		}
	case "xoauth2", "oauthbearer":
		if !holdsToken(cr) || cr.Username == "" {
			return configErr(fmt.Sprintf("inbound auth %s needs a username and an oauth2 token", s.auth))
		}
	case "user":
		return configErr("inbound auth user (USER/PASS) is POP3's; imap takes auto, scram-sha-256, plain, login, xoauth2, oauthbearer or none")
	default:
		return configErr(fmt.Sprintf("unknown inbound auth mechanism %q", raw))
	}
	return nil
}

// verified reports whether a connection made with the settings is
// encrypted and authenticated (CA chain or pin), i.e. safe for credentials.
func (s *imapSettings) verified() bool {
	return s.security != "none" && s.trust.Verified()
}
