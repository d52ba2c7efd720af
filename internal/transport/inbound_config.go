package transport

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// InboundConfig is the inbound side of a transport section resolved into
// what an IMAP or POP3 client needs (SPEC §8, `inbound.*`): plain values,
// no profile. Credentials are the inbound ones (inbound.username and
// inbound.password, else the section's username and password).
type InboundConfig struct {
	Protocol string // "imap" or "pop3"
	Host     string
	Port     int    // 0: 993/995 for tls, 143/110 for starttls and none
	Security string // "tls" (default), "starttls" (required), "none"
	// Auth: "auto" (default), "scram-sha-256", "plain", "login", "xoauth2",
	// "oauthbearer", "user" (POP3 USER/PASS), "none".
	Auth    string
	Mailbox string // IMAP mailbox; "" is INBOX

	CAFile             string
	TLSFingerprint     string
	InsecureSkipVerify bool
	AllowInsecureAuth  bool

	Credentials Credentials
	Timeout     time.Duration // per step; 0 is 30s
	// Log, when set, receives the dialogue (-v) with every credential and
	// AUTH payload redacted, as the SMTP transcript does.
	Log io.Writer
	// Section is the name of the section, named in the commands of hints
	// ("" = the placeholder SECTION).
	Section string
}

// inboundEndpoint is what the IMAP and POP3 clients validate alike: the
// host, the security and its default port, and the TLS trust.
type inboundEndpoint struct {
	addr     string // host:port
	host     string
	port     int
	security string // "tls", "starttls", "none"
	trust    *tlsconf.Trust
}

// inboundEndpointFrom validates c's host, security and port (tlsPort for
// tls, plainPort for starttls and none when c.Port is 0) and builds its TLS
// trust. Errors are KindConfig, never echoing a credential.
func inboundEndpointFrom(c InboundConfig, tlsPort, plainPort int) (inboundEndpoint, error) {
	e := inboundEndpoint{host: c.Host, security: strings.ToLower(c.Security), port: c.Port}
	if e.host == "" {
		return e, configErr("inbound host not set")
	}
	if strings.ContainsAny(e.host, " \t\r\n/") {
		return e, configErr(fmt.Sprintf("invalid inbound host %q", e.host))
	}
	switch e.security {
	case "", "tls":
		e.security = "tls"
		e.port = orDefault(e.port, tlsPort)
	case "starttls", "none":
		e.port = orDefault(e.port, plainPort)
	default:
		return e, configErr(fmt.Sprintf("unknown inbound security %q (want tls, starttls or none)", c.Security))
	}
	if e.port < 1 || e.port > 65535 {
		return e, configErr(fmt.Sprintf("invalid inbound port %d", e.port))
	}
	e.addr = net.JoinHostPort(e.host, strconv.Itoa(e.port))
	trust, err := tlsconf.New(tlsconf.Settings{Host: e.host, CAFile: c.CAFile,
		Fingerprint: c.TLSFingerprint, InsecureSkipVerify: c.InsecureSkipVerify})
	if err != nil {
		return e, settingErr(err)
	}
	e.trust = trust
	return e, nil
}
