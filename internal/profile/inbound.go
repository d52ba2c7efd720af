package profile

import (
	"fmt"

	"github.com/mapictl/mapictl/internal/mapi"
)

// InboundKinds are the values of the inbound property (SPEC §8): the
// protocol of a transport section's inbound side, "none" (the default)
// when it has none.
var InboundKinds = []string{"imap", "pop3", "none"}

// InboundAuths are the values of inbound.auth.
var InboundAuths = []string{"auto", "scram-sha-256", "plain", "login", "xoauth2", "oauthbearer", "user", "none"}

// Defaults of the inbound settings (docs/properties.md).
const (
	DefaultInboundSecurity = "tls"
	DefaultInboundMailbox  = "INBOX"
	// DefaultInboundMaildir is where an inbound side delivers without
	// inbound.maildir or inbound.mda: per profile and section, apart from
	// the outgoing mail/.
	DefaultInboundMaildir = "<store>/inbox/<profile>/<section>"
)

// Inbound is the protocol of s's inbound side, "imap" or "pop3", or ""
// when it has none (inbound unset or "none", or s is not a transport).
func (s *Section) Inbound() string {
	if s.Kind != KindTransport {
		return ""
	}
	switch v := s.String(mapi.PrInbound); v {
	case "imap", "pop3":
		return v
	}
	return ""
}

// InboundPort is the port of s's inbound side: inbound.port, else the one
// protocol and inbound.security imply (IMAP 993 for tls, else 143; POP3
// 995 for tls, else 110). 0 without an inbound side.
func (s *Section) InboundPort() int32 {
	if p := s.Long(mapi.PrInboundPort, 0); p != 0 {
		return p
	}
	return DefaultInboundPort(s.Inbound(), summaryOr(s.String(mapi.PrInboundSecurity), DefaultInboundSecurity))
}

// DefaultInboundPort is the port protocol ("imap", "pop3") uses under
// security ("tls", "starttls", "none") when inbound.port is unset; 0 for
// an unknown protocol.
func DefaultInboundPort(protocol, security string) int32 {
	tls := security == "" || security == "tls"
	switch {
	case protocol == "imap" && tls:
		return 993
	case protocol == "imap":
		return 143
	case protocol == "pop3" && tls:
		return 995
	case protocol == "pop3":
		return 110
	}
	return 0
}

// InboundEndpoint summarizes s's inbound side, defaults filled in:
// "imap host:port security", or "" without one.
func (s *Section) InboundEndpoint() string {
	proto := s.Inbound()
	if proto == "" {
		return ""
	}
	return fmt.Sprintf("%s %s:%d %s", proto, s.String(mapi.PrInboundHost), s.InboundPort(),
		summaryOr(s.String(mapi.PrInboundSecurity), DefaultInboundSecurity))
}

// checkInboundSetting validates one inbound.* value of a transport
// section (the type is already checked).
func checkInboundSetting(t mapi.Tag, v any, oneOf func(string, ...string) error) error {
	switch t {
	case mapi.PrInbound:
		return oneOf("inbound", InboundKinds...)
	case mapi.PrInboundSecurity:
		return oneOf("inbound.security", "tls", "starttls", "none")
	case mapi.PrInboundAuth:
		return oneOf("inbound.auth", InboundAuths...)
	case mapi.PrInboundPort:
		if n := v.(int32); n < 1 || n > 65535 {
			return mapi.Errorf(mapi.InvalidParameter, "inbound.port %d is out of range 1-65535", n)
		}
	case mapi.PrInboundMaxSize:
		if n := v.(int32); n < 0 {
			return mapi.Errorf(mapi.InvalidParameter, "inbound.max-size %d is negative", n).
				WithHint("give a size in bytes, or 0 for no limit")
		}
	case mapi.PrInboundMDA:
		if s, _ := v.(string); s != "" {
			_, err := SplitArgv(s)
			return err
		}
	}
	return nil
}
