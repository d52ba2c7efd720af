package account

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
)

// FromSection fills Inbound with SPEC §8's defaults; no inbound side
// leaves it zero.
func TestInboundFromSection(t *testing.T) {
	p := profile.New("w", []string{"age1x"})
	s, _ := p.AddSection("gmail", profile.KindTransport, "smtp")
	if a := FromSection("w", s, "/store"); a.HasInbound() || !reflect.DeepEqual(a.Inbound, Inbound{}) {
		t.Fatalf("no inbound side: %+v", a.Inbound)
	}
	s.Props[mapi.PrInbound] = "imap"
	s.Props[mapi.PrInboundHost] = "imap.example"
	a := FromSection("w", s, "/store")
	want := Inbound{Protocol: "imap", Host: "imap.example", Port: 993, Security: "tls", Auth: "auto",
		Mailbox: "INBOX", Keep: true, Maildir: filepath.Join("/store", "inbox", "w", "gmail")}
	if !reflect.DeepEqual(a.Inbound, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", a.Inbound, want)
	}

	s.Props[mapi.PrInbound] = "pop3"
	s.Props[mapi.PrInboundSecurity] = "starttls"
	s.Props[mapi.PrInboundAuth] = "user"
	s.Props[mapi.PrInboundMailbox] = "Ignored"
	s.Props[mapi.PrInboundKeep] = false
	s.Props[mapi.PrInboundMDA] = `/usr/bin/maildrop -d "dana s"`
	s.Props[mapi.PrInboundMaxSize] = int32(1 << 20)
	s.Props[mapi.PrInboundCAFile] = "/etc/ca.pem"
	s.Props[mapi.PrInboundFingerprint] = "ab:cd"
	s.Props[mapi.PrInboundInsecure] = true
	s.Props[mapi.PrInboundInsecureAuth] = true
	a = FromSection("w", s, "/store")
	want = Inbound{Protocol: "pop3", Host: "imap.example", Port: 110, Security: "starttls", Auth: "user",
		MDA: []string{"/usr/bin/maildrop", "-d", "dana s"}, MaxSize: 1 << 20, CAFile: "/etc/ca.pem", Fingerprint: "ab:cd",
		InsecureSkipVerify: true, AllowInsecureAuth: true}
	if !reflect.DeepEqual(a.Inbound, want) {
		t.Errorf("all set:\n got %+v\nwant %+v", a.Inbound, want)
	}

	// a malformed MDA written into the file by hand: reported, not replaced by a Maildir
	s.Props[mapi.PrInboundMDA] = "procmail 'open"
	if a := FromSection("w", s, "/store"); !mapi.IsCode(a.Inbound.Err, mapi.InvalidParameter) || a.Inbound.Maildir != "" {
		t.Errorf("bad mda: err %v, maildir %q", a.Inbound.Err, a.Inbound.Maildir)
	}
}

// Two profiles' sections of one name deliver to different Maildirs.
func TestDefaultInboundMaildirPerProfile(t *testing.T) {
	if DefaultInboundMaildir("/s", "a", "gmail") == DefaultInboundMaildir("/s", "b", "gmail") {
		t.Error("two profiles share a default inbound Maildir")
	}
	if got := DefaultInboundMaildir("/s", "a", "gmail"); got != filepath.Join("/s", "inbox", "a", "gmail") {
		t.Errorf("DefaultInboundMaildir = %q", got)
	}
}

// The inbound side logs on with inbound.username and inbound.password,
// each falling back to the section's.
func TestInboundCredentials(t *testing.T) {
	for _, tc := range []struct {
		in   Credentials
		want Credentials
	}{
		{Credentials{Username: "u", Password: "p"}, Credentials{Username: "u", Password: "p"}},
		{Credentials{Username: "u", Password: "p", InboundUsername: "iu", InboundPassword: "ip"}, Credentials{Username: "iu", Password: "ip"}},
		{Credentials{Username: "u", Password: "p", InboundPassword: "ip"}, Credentials{Username: "u", Password: "ip"}},
		{Credentials{InboundUsername: "iu", InboundPassword: "ip"}, Credentials{Username: "iu", Password: "ip"}},
		{Credentials{Username: "u", OAuth2Token: "t"}, Credentials{Username: "u", OAuth2Token: "t"}},
	} {
		if got := tc.in.Inbound(); got != tc.want {
			t.Errorf("%+v.Inbound() = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if (Credentials{InboundPassword: "x"}).Empty() {
		t.Error("Empty() with an inbound password")
	}
}

// InboundConfig carries every setting and the inbound credentials.
func TestInboundConfig(t *testing.T) {
	p := profile.New("w", []string{"age1x"})
	s, _ := p.AddSection("in", profile.KindTransport, "none")
	for tag, v := range map[mapi.Tag]any{
		mapi.PrInbound: "imap", mapi.PrInboundHost: "imap.example", mapi.PrInboundPort: int32(1143),
		mapi.PrInboundSecurity: "starttls", mapi.PrInboundAuth: "plain", mapi.PrInboundMailbox: "Lists",
		mapi.PrInboundCAFile: "/ca.pem", mapi.PrInboundFingerprint: "ff", mapi.PrInboundInsecure: true,
		mapi.PrInboundInsecureAuth: true, mapi.PrTimeout: int32(7),
	} {
		s.Props[tag] = v
	}
	a := FromSection("w", s, "/store")
	cfg := a.InboundConfig(Credentials{Username: "smtp-user", Password: "smtp-pw", InboundUsername: "imap-user"})
	if cfg.Protocol != "imap" || cfg.Host != "imap.example" || cfg.Port != 1143 || cfg.Security != "starttls" ||
		cfg.Auth != "plain" || cfg.Mailbox != "Lists" || cfg.CAFile != "/ca.pem" || cfg.TLSFingerprint != "ff" ||
		!cfg.InsecureSkipVerify || !cfg.AllowInsecureAuth || cfg.Timeout != 7*time.Second {
		t.Errorf("InboundConfig = %+v", cfg)
	}
	if cfg.Credentials.Username != "imap-user" || cfg.Credentials.Password != "smtp-pw" {
		t.Errorf("credentials = %+v, want imap-user / the section's password", cfg.Credentials)
	}
}

// The session snapshot keeps the inbound settings (an "inbound" object,
// absent without an inbound side) and the inbound credentials, so fetch
// works under a session with no identity.
func TestInboundSnapshotRoundTrip(t *testing.T) {
	p := profile.New("w", []string{"age1x"})
	s, _ := p.AddSection("gmail", profile.KindTransport, "smtp")
	plain := FromSection("w", s, "/store").Settings()
	if b, _ := json.Marshal(plain); strings.Contains(string(b), `"inbound"`) || plain.Inbound != nil {
		t.Errorf("no inbound side: %s", b)
	}
	s.Props[mapi.PrInbound] = "pop3"
	s.Props[mapi.PrInboundHost] = "pop.example"
	s.Props[mapi.PrInboundKeep] = false
	s.Props[mapi.PrInboundMDA] = "notmuch insert"
	a := FromSection("w", s, "/store")
	creds := Credentials{Username: "u", Password: "p", InboundUsername: "iu", InboundPassword: "ip"}
	snap := session.SectionSnapshot{Settings: a.Settings(), Credentials: creds.Snapshot()}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var back session.SectionSnapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := FromSnapshot(&session.Snapshot{Profile: "w"}, &back)
	if !reflect.DeepEqual(got.Inbound, a.Inbound) {
		t.Errorf("inbound after the session file:\n got %+v\nwant %+v", got.Inbound, a.Inbound)
	}
	c, err := got.StoredCredentials([]age.Identity{})
	if err != nil || c != creds {
		t.Errorf("credentials after the session file: %+v, %v", c, err)
	}
	var raw map[string]map[string]any
	_ = json.Unmarshal(b, &raw)
	if in, ok := raw["settings"]["inbound"].(map[string]any); !ok || in["keep"] != false || in["protocol"] != "pop3" {
		t.Errorf("settings.inbound = %v", raw["settings"]["inbound"])
	}
}

// Credentials read from a secure range include the inbound ones.
func TestStoredInboundCredentials(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	ids := []age.Identity{id}
	p := profile.New("w", []string{id.Recipient().String()})
	s, _ := p.AddSection("in", profile.KindTransport, "none")
	s.Props[mapi.PrInbound] = "imap"
	if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "p", mapi.PrInboundUsername: "iu", mapi.PrInboundPassword: "ip"}); err != nil {
		t.Fatal(err)
	}
	c, err := FromSection("w", s, "/store").StoredCredentials(ids)
	if err != nil || c.Inbound() != (Credentials{Username: "iu", Password: "ip"}) {
		t.Errorf("StoredCredentials = %+v, %v", c, err)
	}
}

// Under a session, a section with only an inbound side is never the
// default transport.
func TestSessionDefaultSkipsInboundOnly(t *testing.T) {
	snap := &session.Snapshot{Profile: "w", Sections: []session.SectionSnapshot{
		{Settings: session.Settings{Section: "in", Transport: "none", Inbound: &session.InboundSettings{Protocol: "imap"}}, Ordinal: 1, DefaultOutbound: true},
	}}
	r := &Resolver{Session: snap}
	if _, err := r.Sending(""); !mapi.IsCode(err, mapi.Unconfigured) {
		t.Errorf("Sending with only an inbound section: %v, want MAPI_E_UNCONFIGURED", err)
	}
	snap.Sections = append(snap.Sections, session.SectionSnapshot{Settings: session.Settings{Section: "out", Transport: "maildir"}, Ordinal: 2, Address: "a@example.com"})
	if a, err := r.Sending(""); err != nil || a.Name != "out" {
		t.Errorf("Sending = %v, %v; want section out", a, err)
	}
}
