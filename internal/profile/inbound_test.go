package profile

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// SetProp checks the inbound values of SPEC §8 in a transport section.
func TestInboundSettingsValidated(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	for _, tc := range []struct {
		tag mapi.Tag
		v   any
		ok  bool
	}{
		{mapi.PrInbound, "imap", true},
		{mapi.PrInbound, "pop3", true},
		{mapi.PrInbound, "none", true},
		{mapi.PrInbound, "IMAP", false},
		{mapi.PrInbound, "smtp", false},
		{mapi.PrInboundSecurity, "tls", true},
		{mapi.PrInboundSecurity, "starttls", true},
		{mapi.PrInboundSecurity, "none", true},
		{mapi.PrInboundSecurity, "ssl", false},
		{mapi.PrInboundAuth, "user", true},
		{mapi.PrInboundAuth, "oauthbearer", true},
		{mapi.PrInboundAuth, "cram-md5", false},
		{mapi.PrInboundPort, int32(993), true},
		{mapi.PrInboundPort, int32(0), false},
		{mapi.PrInboundPort, int32(65536), false},
		{mapi.PrInboundKeep, false, true},
		{mapi.PrInboundMaxSize, int32(0), true},
		{mapi.PrInboundMaxSize, int32(1 << 20), true},
		{mapi.PrInboundMaxSize, int32(-1), false},
		{mapi.PrInboundMDA, "/usr/bin/procmail -d 'dana s'", true},
		{mapi.PrInboundMDA, "procmail 'open", false},
		{mapi.PrInboundMDA, "", true}, // unset-like: no MDA
		{mapi.PrInboundMailbox, "Archive/2026", true},
	} {
		err := s.SetProp(tc.tag, tc.v)
		if tc.ok && err != nil {
			t.Errorf("SetProp(%s, %v) = %v", mapi.DisplayName(tc.tag, mapi.ScopeTransport), tc.v, err)
		}
		if !tc.ok && !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("SetProp(%s, %v) = %v, want MAPI_E_INVALID_PARAMETER", mapi.DisplayName(tc.tag, mapi.ScopeTransport), tc.v, err)
		}
	}
	for _, tag := range []mapi.Tag{mapi.PrInboundUsername, mapi.PrInboundPassword} {
		if err := s.SetProp(tag, "x"); !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("SetProp(%s) = %v: secure tags go through credential set", tag, err)
		}
	}
}

// Defaults: the port follows protocol and security; no inbound side
// without the inbound property.
func TestInboundDefaults(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	if s.Inbound() != "" || s.InboundEndpoint() != "" || s.InboundPort() != 0 {
		t.Fatalf("no inbound side: %q %q %d", s.Inbound(), s.InboundEndpoint(), s.InboundPort())
	}
	s.Props[mapi.PrInbound] = "none"
	if s.Inbound() != "" {
		t.Errorf("inbound=none: Inbound() = %q", s.Inbound())
	}
	for _, tc := range []struct {
		proto, sec string
		want       int32
	}{
		{"imap", "", 993}, {"imap", "tls", 993}, {"imap", "starttls", 143}, {"imap", "none", 143},
		{"pop3", "", 995}, {"pop3", "starttls", 110}, {"pop3", "none", 110},
	} {
		s.Props[mapi.PrInbound] = tc.proto
		if tc.sec == "" {
			delete(s.Props, mapi.PrInboundSecurity)
		} else {
			s.Props[mapi.PrInboundSecurity] = tc.sec
		}
		if got := s.InboundPort(); got != tc.want {
			t.Errorf("%s/%q: port %d, want %d", tc.proto, tc.sec, got, tc.want)
		}
	}
	s.Props[mapi.PrInbound] = "imap"
	s.Props[mapi.PrInboundHost] = "imap.example"
	s.Props[mapi.PrInboundPort] = int32(1993)
	delete(s.Props, mapi.PrInboundSecurity)
	if got := s.InboundEndpoint(); got != "imap imap.example:1993 tls" {
		t.Errorf("InboundEndpoint = %q", got)
	}
}

// A section with only an inbound side has transport none; it is never
// the default transport.
func TestInboundOnlySection(t *testing.T) {
	p := New("w", []string{"age1x"})
	in, err := p.AddSection("in", KindTransport, "none")
	if err != nil {
		t.Fatal(err)
	}
	if err := in.SetProp(mapi.PrInbound, "pop3"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DefaultTransport(); !mapi.IsCode(err, mapi.Unconfigured) {
		t.Errorf("DefaultTransport with only an inbound section: %v, want MAPI_E_UNCONFIGURED", err)
	}
	out, _ := p.AddSection("out", KindTransport, "maildir")
	if err := p.SetDefaultOutbound(in); !mapi.IsCode(err, mapi.InvalidParameter) {
		t.Fatalf("SetDefaultOutbound(inbound only) = %v, want MAPI_E_INVALID_PARAMETER", err)
	}
	in.Props[mapi.PrResourceFlags] = int32(mapi.StatusDefaultOutbound) // forged by hand
	if got, err := p.DefaultTransport(); err != nil || got != out {
		t.Errorf("DefaultTransport = %v, %v; want section out", got, err)
	}
}

// binds/2 covers the inbound range by ID: a changed inbound.host (or
// inbound.mda, which runs a program) makes the stored credentials refuse,
// as smtp.host does; inbound.keep too (it decides what is deleted).
func TestInboundSettingsBindCredentials(t *testing.T) {
	holder := testKey(t)
	ids := []age.Identity{holder}
	p := New("w", []string{holder.Recipient().String()})
	s, _ := p.AddSection("s", KindTransport, "smtp")
	s.Props[mapi.PrInbound] = "imap"
	s.Props[mapi.PrInboundHost] = "imap.example.com"
	if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrInboundPassword: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrInboundPassword] != "hunter2" {
		t.Fatalf("ReadSecure = %v, %v", c, err)
	}
	for _, ch := range []struct {
		tag mapi.Tag
		v   any
	}{
		{mapi.PrInboundHost, "evil.example.net"},
		{mapi.PrInboundPort, int32(1143)},
		{mapi.PrInboundMDA, "/tmp/evil"},
		{mapi.PrInboundMaildir, "/tmp/elsewhere"},
		{mapi.PrInbound, "pop3"},
	} {
		old, had := s.Props[ch.tag]
		s.Props[ch.tag] = ch.v
		_, err := s.ReadSecure(ids)
		if !mapi.IsCode(err, mapi.NoAccess) || strings.Contains(fmt.Sprint(err), "hunter2") {
			t.Errorf("after %s change: %v, want MAPI_E_NO_ACCESS", mapi.DisplayName(ch.tag, mapi.ScopeTransport), err)
		}
		if had {
			s.Props[ch.tag] = old
		} else {
			delete(s.Props, ch.tag)
		}
	}
	if _, err := s.ReadSecure(ids); err != nil {
		t.Errorf("settings restored: %v", err)
	}
}

// A relative inbound.maildir or inbound.ca-file is stored absolute, as
// smtp.ca-file is: fetch from cron runs in another directory.
func TestInboundPathsStoredAbsolute(t *testing.T) {
	p := New("w", []string{"age1x"})
	s, _ := p.AddSection("s", KindTransport, "none")
	as, err := s.ParseAssignments([]string{"inbound.maildir=Mail/in", "inbound.ca-file=ca.pem", "inbound.mda=rel/prog"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		v := a.Value.(string)
		if abs := filepath.IsAbs(v); abs != (a.Tag != mapi.PrInboundMDA) {
			t.Errorf("%s = %q: absolute %v", mapi.DisplayName(a.Tag, mapi.ScopeTransport), v, abs)
		}
	}
}
