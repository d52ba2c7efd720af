package manifest

import (
	"os"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

// The incoming server of POP3 and IMAP accounts becomes the section's
// inbound side; the incoming user name goes into the secure range as
// inbound.username only when it differs from the SMTP one.
func TestImportPRFInbound(t *testing.T) {
	f, err := prf.ParseFile("../prf/testdata/inbound_accounts.prf", os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("inbound", []string{r})
	sum, err := ImportPRF(p, f, ids)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		proto, host, sec  string
		port              int32
		keep              any // nil: inbound.keep unset (default true)
		user, inboundUser string
	}
	for name, w := range map[string]want{
		"imap-starttls": {"imap", "imap.example.com", "starttls", 143, nil, "dana", ""},
		"pop-keep":      {"pop3", "pop.example.com", "tls", 995, true, "dana-submit", "dana-pop"},
		"pop-delete":    {"pop3", "pop.example.net", "none", 110, false, "", "dana"},
		"imap-implicit": {"imap", "imap.example.org", "tls", 993, nil, "", ""},
	} {
		s, err := p.Section(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Inbound() != w.proto || s.String(mapi.PrInboundHost) != w.host || s.String(mapi.PrInboundSecurity) != w.sec ||
			s.InboundPort() != w.port || s.Props[mapi.PrInboundKeep] != w.keep {
			t.Errorf("%s: inbound %q host %q security %q port %d keep %v", name, s.Inbound(), s.String(mapi.PrInboundHost),
				s.String(mapi.PrInboundSecurity), s.InboundPort(), s.Props[mapi.PrInboundKeep])
		}
		if s.Transport() != "smtp" {
			t.Errorf("%s: transport %q", name, s.Transport())
		}
		if w.user == "" && w.inboundUser == "" {
			if s.Secure != nil {
				t.Errorf("%s: a secure range without user names", name)
			}
			continue
		}
		c, err := s.ReadSecure(ids)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if u, _ := c.Props[mapi.PrUsername].(string); u != w.user {
			t.Errorf("%s: username %q, want %q", name, u, w.user)
		}
		if u, _ := c.Props[mapi.PrInboundUsername].(string); u != w.inboundUser {
			t.Errorf("%s: inbound.username %q, want %q", name, u, w.inboundUser)
		}
	}
	for _, a := range sum.Accounts {
		if a.Inbound == nil || a.Inbound.Host == "" || a.Inbound.Port == 0 {
			t.Errorf("summary of %s: inbound %+v", a.Section, a.Inbound)
		}
	}
	if in := sum.Accounts[1].Inbound; in.Protocol != "pop3" || !in.Keep || !in.Username {
		t.Errorf("summary of pop-keep: %+v", in)
	}
	if in := sum.Accounts[2].Inbound; in.Keep || !in.Username {
		t.Errorf("summary of pop-delete: %+v (no SMTP auth: the incoming user name is the inbound one)", in)
	}
	if in := sum.Accounts[0].Inbound; in.Username {
		t.Errorf("summary of imap-starttls: %+v (the SMTP user name is the incoming one: stored once)", in)
	}
}
