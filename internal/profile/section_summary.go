package profile

import (
	"fmt"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// Defaults of transport settings, as a transport section without them
// means them (docs/properties.md).
const (
	DefaultSMTPSecurity = "starttls"
	DefaultMaildir      = "<store>/mail" // the store's mail directory
	DefaultSendmailPath = "/usr/sbin/sendmail"
)

// SMTPPort is the port an smtp transport section names: smtp.port, else
// the one its smtp.security implies (465 for tls, 25 for none, else 587).
func (s *Section) SMTPPort() int32 {
	if p := s.Long(mapi.PrSMTPPort, 0); p != 0 {
		return p
	}
	switch s.String(mapi.PrSMTPSecurity) {
	case "tls":
		return 465
	case "none":
		return 25
	}
	return 587
}

// Endpoint is where a transport section delivers, defaults filled in:
// "host:port security" for smtp, the Maildir for maildir, the program for
// sendmail; "" for any other section.
func (s *Section) Endpoint() string {
	if s.Kind != KindTransport {
		return ""
	}
	switch s.Transport() {
	case "smtp":
		return fmt.Sprintf("%s:%d %s", s.String(mapi.PrSMTPHost), s.SMTPPort(), summaryOr(s.String(mapi.PrSMTPSecurity), DefaultSMTPSecurity))
	case "maildir":
		return summaryOr(s.String(mapi.PrMaildirPath), DefaultMaildir)
	case "sendmail":
		return summaryOr(s.String(mapi.PrSendmailPath), DefaultSendmailPath)
	}
	return ""
}

// Sender is the section's address as a mail header writes it: "Display
// Name <email>", "<email>" without a display name, "" without an email.
func (s *Section) Sender() string {
	e := s.String(mapi.PrEmailAddress)
	if e == "" {
		return ""
	}
	if d := s.String(mapi.PrDisplayName); d != "" {
		return d + " <" + e + ">"
	}
	return "<" + e + ">"
}

// SecureNames are the display names of the properties the section's secure
// range holds, as its header lists them (tags that do not parse skipped);
// nil when it has no secure range.
func (s *Section) SecureNames() []string {
	if s.Secure == nil {
		return nil
	}
	names := []string{}
	for _, t := range s.Secure.Tags {
		if tag, err := mapi.ParseHexTag(t); err == nil {
			names = append(names, mapi.DisplayName(tag, s.Scope()))
		}
	}
	return names
}

func summaryOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// KeyFingerprint is the fingerprint of the signing key p claims to be
// signed with ([secure.Fingerprint]); "" when it names none.
func (p *Profile) KeyFingerprint() string {
	if p.Signing == nil {
		return ""
	}
	return secure.Fingerprint(p.Signing.Key)
}
