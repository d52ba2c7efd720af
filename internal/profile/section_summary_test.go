package profile

import (
	"slices"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestSectionEndpointDefaults(t *testing.T) {
	p := New("w", []string{"age1x"})
	smtp, _ := p.AddSection("out", KindTransport, "smtp")
	smtp.Props[mapi.PrSMTPHost] = "mail.example"
	md, _ := p.AddSection("md", KindTransport, "maildir")
	sm, _ := p.AddSection("sm", KindTransport, "sendmail")
	svc, _ := p.AddSection("svc", KindService, "")
	for _, c := range []struct {
		s    *Section
		set  map[mapi.Tag]any
		want string
		port int32
	}{
		{smtp, nil, "mail.example:587 starttls", 587},
		{smtp, map[mapi.Tag]any{mapi.PrSMTPSecurity: "tls"}, "mail.example:465 tls", 465},
		{smtp, map[mapi.Tag]any{mapi.PrSMTPSecurity: "none"}, "mail.example:25 none", 25},
		{smtp, map[mapi.Tag]any{mapi.PrSMTPPort: int32(2525)}, "mail.example:2525 none", 2525},
		{md, nil, "<store>/mail", 587},
		{md, map[mapi.Tag]any{mapi.PrMaildirPath: "/var/mail/x"}, "/var/mail/x", 587},
		{sm, nil, "/usr/sbin/sendmail", 587},
		{sm, map[mapi.Tag]any{mapi.PrSendmailPath: "/opt/msmtp"}, "/opt/msmtp", 587},
		{svc, nil, "", 587},
	} {
		for tag, v := range c.set {
			c.s.Props[tag] = v
		}
		if got := c.s.Endpoint(); got != c.want {
			t.Errorf("%s %v: Endpoint = %q, want %q", c.s.Name, c.set, got, c.want)
		}
		if got := c.s.SMTPPort(); got != c.port {
			t.Errorf("%s %v: SMTPPort = %d, want %d", c.s.Name, c.set, got, c.port)
		}
	}
}

func TestSectionSenderAndSecureNames(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("out", KindTransport, "smtp")
	if s.Sender() != "" || s.SecureNames() != nil {
		t.Fatalf("empty section: %q, %v", s.Sender(), s.SecureNames())
	}
	s.Props[mapi.PrEmailAddress] = "dana@example.com"
	if s.Sender() != "<dana@example.com>" {
		t.Errorf("Sender = %q", s.Sender())
	}
	s.Props[mapi.PrDisplayName] = "Dana Li"
	if s.Sender() != "Dana Li <dana@example.com>" {
		t.Errorf("Sender = %q", s.Sender())
	}
	s.Secure = &SecureBlob{Tags: []string{mapi.PrPassword.String(), "zz"}}
	if got := s.SecureNames(); !slices.Equal(got, []string{mapi.DisplayName(mapi.PrPassword, s.Scope())}) {
		t.Errorf("SecureNames = %v", got)
	}
}
