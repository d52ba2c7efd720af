package account

import (
	"path/filepath"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/transport"
)

// Inbound are the settings of how an account's mail comes in (SPEC §8,
// the inbound.* properties), defaults filled in. Protocol "" means the
// section has no inbound side and every other field is zero.
type Inbound struct {
	Protocol string // "imap" or "pop3"
	Host     string
	Port     int    // inbound.port, else 993/995 (tls), 143/110
	Security string // "tls" (default), "starttls", "none"
	Auth     string // "auto" (default) or a mechanism, "user", "none"
	Mailbox  string // IMAP mailbox, default INBOX (POP3: unused)
	// Keep leaves delivered messages on the server (default true).
	Keep bool
	// Maildir is where messages go (default <store>/inbox/<profile>/<section>);
	// "" when MDA is set: a program given each message on stdin.
	Maildir string
	MDA     []string
	// TLS trust, as for SMTP.
	CAFile             string
	Fingerprint        string
	InsecureSkipVerify bool
	AllowInsecureAuth  bool
	// MaxSize: messages larger are skipped and reported; 0 is no limit.
	MaxSize int64
	// Err, when not nil, says why the stored settings cannot be used (an
	// inbound.mda that does not split, written by hand into the file):
	// fetch reports it (MAPI_E_INVALID_PARAMETER) rather than deliver
	// elsewhere than configured.
	Err error
}

// DefaultInboundMaildir is the Maildir the inbound side of section of
// profileName delivers to without inbound.maildir or inbound.mda:
// <store>/inbox/<profile>/<section>, apart from the outgoing mail/, so two
// profiles' sections of one name never share one.
func DefaultInboundMaildir(storeRoot, profileName, section string) string {
	return filepath.Join(storeRoot, "inbox", profileName, section)
}

// inboundOf resolves the inbound side of transport section s.
func inboundOf(profileName string, s *profile.Section, storeRoot string) Inbound {
	proto := s.Inbound()
	if proto == "" {
		return Inbound{}
	}
	in := Inbound{
		Protocol: proto, Host: s.String(mapi.PrInboundHost), Port: int(s.InboundPort()),
		Security: or(s.String(mapi.PrInboundSecurity), profile.DefaultInboundSecurity),
		Auth:     or(s.String(mapi.PrInboundAuth), "auto"),
		Keep:     s.Bool(mapi.PrInboundKeep, true),
		Maildir:  s.String(mapi.PrInboundMaildir),
		CAFile:   s.String(mapi.PrInboundCAFile), Fingerprint: s.String(mapi.PrInboundFingerprint),
		InsecureSkipVerify: s.Bool(mapi.PrInboundInsecure, false),
		AllowInsecureAuth:  s.Bool(mapi.PrInboundInsecureAuth, false),
		MaxSize:            int64(max(s.Long(mapi.PrInboundMaxSize, 0), 0)),
	}
	if proto == "imap" {
		in.Mailbox = or(s.String(mapi.PrInboundMailbox), profile.DefaultInboundMailbox)
	}
	if mda := s.String(mapi.PrInboundMDA); mda != "" {
		in.MDA, in.Err = profile.SplitArgv(mda)
		in.Maildir = ""
	} else if in.Maildir == "" {
		in.Maildir = DefaultInboundMaildir(storeRoot, profileName, s.Name)
	}
	return in
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// snapshot is in as a session file keeps it; nil without an inbound side.
func (in Inbound) snapshot() *session.InboundSettings {
	if in.Protocol == "" {
		return nil
	}
	return &session.InboundSettings{
		Protocol: in.Protocol, Host: in.Host, Port: in.Port, Security: in.Security, Auth: in.Auth,
		Mailbox: in.Mailbox, Keep: in.Keep, Maildir: in.Maildir, MDA: in.MDA,
		CAFile: in.CAFile, Fingerprint: in.Fingerprint,
		InsecureSkipVerify: in.InsecureSkipVerify, AllowInsecureAuth: in.AllowInsecureAuth,
		MaxSize: in.MaxSize,
	}
}

// inboundFromSnapshot is the inverse of [Inbound.snapshot].
func inboundFromSnapshot(st *session.InboundSettings) Inbound {
	if st == nil {
		return Inbound{}
	}
	return Inbound{
		Protocol: st.Protocol, Host: st.Host, Port: st.Port, Security: st.Security, Auth: st.Auth,
		Mailbox: st.Mailbox, Keep: st.Keep, Maildir: st.Maildir, MDA: st.MDA,
		CAFile: st.CAFile, Fingerprint: st.Fingerprint,
		InsecureSkipVerify: st.InsecureSkipVerify, AllowInsecureAuth: st.AllowInsecureAuth,
		MaxSize: st.MaxSize,
	}
}

// HasInbound reports whether a has an inbound side (IMAP or POP3).
func (a *Account) HasInbound() bool { return a.Inbound.Protocol != "" }

// InboundNeedsCredentials reports whether the inbound side logs on with
// credentials: it exists and its auth is not none.
func (a *Account) InboundNeedsCredentials() bool {
	return a.HasInbound() && a.Inbound.Auth != "none"
}

// InboundConfig builds what an IMAP or POP3 client needs of a's inbound
// side, logging on with creds' inbound credentials ([Credentials.Inbound]).
// The timeout per step is the section's timeout. Call it only when
// [Account.HasInbound].
func (a *Account) InboundConfig(creds Credentials) transport.InboundConfig {
	in, c := a.Inbound, creds.Inbound()
	return transport.InboundConfig{
		Protocol: in.Protocol, Host: in.Host, Port: in.Port, Security: in.Security, Auth: in.Auth,
		Mailbox: in.Mailbox,
		CAFile:  in.CAFile, TLSFingerprint: in.Fingerprint,
		InsecureSkipVerify: in.InsecureSkipVerify, AllowInsecureAuth: in.AllowInsecureAuth,
		Credentials: c.transport(),
		Timeout:     a.Outbound.Timeout,
		Section:     a.Name,
	}
}
