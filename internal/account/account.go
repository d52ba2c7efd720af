package account

import (
	"path/filepath"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/transport"
)

// Account is one transport section resolved: which section it is, how its
// mail leaves (Outbound), and where its credentials come from (the
// section's secure range, or the session snapshot it was logged on in).
//
// Inbound is how its mail comes in (IMAP or POP3 settings of the section's
// inbound range, 0x6610–0x661F; SPEC §8). OAuth2 are the oauth2.* settings
// (0x6620–0x662F) when the section logs on with OAuth 2.0; their tokens
// come through [Credentials].
type Account struct {
	// Profile names the profile the section belongs to; Session the
	// session whose snapshot the account came from ("" for a section
	// read from the profile).
	Profile, Session string
	// ProfileUID is the profile's uid: set by the [Resolver]'s methods, by
	// [Logon] and by [FromSnapshot] (from a session logged on since it was
	// kept); [FromSection] leaves it "". Incoming mail needs it
	// ([Account.InboundAccount]), and OAuth 2.0 ([Account.TokenPath]).
	ProfileUID string
	// UID, Name, Kind and Transport identify the section; Kind is always
	// profile.KindTransport today.
	UID, Name, Kind, Transport string
	// DisplayName and Email are the section's own identity.
	DisplayName, Email string
	// From is who the account sends as: the section's display name and
	// email, or under a session the address it was logged on as (--as).
	From message.Address
	// Ordinal and DefaultOutbound are the profile's transport order.
	Ordinal         int
	DefaultOutbound bool

	Outbound Outbound
	Inbound  Inbound
	// OAuth2 are the section's oauth2.* settings, without the client
	// secret (a secret, in [Credentials]); zero when it has none.
	OAuth2 oauth.Settings

	section *profile.Section     // the profile section; nil under a session
	creds   *session.Credentials // the snapshot's credentials; nil for a section
}

// Outbound are the settings of how an account's mail leaves.
type Outbound struct {
	SMTP         SMTP
	MaildirPath  string        // the maildir transport's directory
	SendmailPath string        // the sendmail transport's program
	Timeout      time.Duration // of one delivery
	// MultiSession allows several sessions to log on to the section at
	// once; AddressOverride allows sending as another address than Email.
	MultiSession    bool
	AddressOverride bool
}

// SMTP are the settings of the smtp transport, TLS trust included.
type SMTP struct {
	Host     string
	Port     int
	Security string // "tls", "starttls" or "none"
	Auth     string // the SASL mechanism, "none", or "" for the server's best
	Helo     string
	// TLS trust: a CA file instead of the system roots, a pinned
	// certificate fingerprint, or no verification at all.
	CAFile             string
	Fingerprint        string
	InsecureSkipVerify bool
	// AllowInsecureAuth allows AUTH without TLS.
	AllowInsecureAuth bool
}

// DefaultSendmail is the sendmail transport's program when the section
// names none.
const DefaultSendmail = "/usr/sbin/sendmail"

// FromSection resolves transport section s of profile profileName.
// storeRoot gives the default Maildirs (<store>/mail, and for the inbound
// side <store>/inbox/<profile>/<section>). Unset settings take their
// defaults: a 30 s timeout, multi-session and address-override true, and
// those of [Inbound].
func FromSection(profileName string, s *profile.Section, storeRoot string) *Account {
	a := &Account{
		Profile: profileName, UID: s.UID, Name: s.Name, Kind: s.Kind, Transport: s.Transport(),
		DisplayName: s.String(mapi.PrDisplayName), Email: s.String(mapi.PrEmailAddress),
		Ordinal: int(s.Ordinal()), DefaultOutbound: s.DefaultOutbound(),
		Outbound: Outbound{
			SMTP: SMTP{
				Host: s.String(mapi.PrSMTPHost), Port: int(s.Long(mapi.PrSMTPPort, 0)),
				Security: s.String(mapi.PrSMTPSecurity), Auth: s.String(mapi.PrSMTPAuth),
				Helo: s.String(mapi.PrSMTPHelo), CAFile: s.String(mapi.PrSMTPCAFile),
				Fingerprint:        s.String(mapi.PrSMTPFingerprint),
				InsecureSkipVerify: s.Bool(mapi.PrSMTPInsecure, false),
				AllowInsecureAuth:  s.Bool(mapi.PrSMTPInsecureAuth, false),
			},
			MaildirPath: s.String(mapi.PrMaildirPath), SendmailPath: s.String(mapi.PrSendmailPath),
			Timeout:         time.Duration(s.Long(mapi.PrTimeout, 30)) * time.Second,
			MultiSession:    s.Bool(mapi.PrMultiSession, true),
			AddressOverride: s.Bool(mapi.PrAddressOverride, true),
		},
		Inbound: inboundOf(profileName, s, storeRoot),
		OAuth2:  oauthOf(s),
		section: s,
	}
	a.From = message.Address{Name: a.DisplayName, Email: a.Email}
	if a.Outbound.MaildirPath == "" && a.Transport == "maildir" {
		a.Outbound.MaildirPath = filepath.Join(storeRoot, "mail")
	}
	if a.Outbound.SendmailPath == "" && a.Transport == "sendmail" {
		a.Outbound.SendmailPath = DefaultSendmail
	}
	return a
}

// FromSnapshot resolves section sec of session snapshot snap: its
// settings as they were at logon, the address it was logged on as, and
// the credentials the snapshot holds.
func FromSnapshot(snap *session.Snapshot, sec *session.SectionSnapshot) *Account {
	st := sec.Settings
	creds := sec.Credentials
	return &Account{
		Profile: snap.Profile, Session: snap.ID, ProfileUID: snap.ProfileUID,
		UID: st.SectionUID, Name: st.Section, Kind: profile.KindTransport, Transport: st.Transport,
		DisplayName: st.DisplayName, Email: st.Email,
		From:    message.Address{Name: sec.Name, Email: sec.Address},
		Ordinal: sec.Ordinal, DefaultOutbound: sec.DefaultOutbound,
		Outbound: Outbound{
			SMTP: SMTP{Host: st.Host, Port: st.Port, Security: st.Security, Auth: st.Auth, Helo: st.Helo,
				CAFile: st.CAFile, Fingerprint: st.Fingerprint,
				InsecureSkipVerify: st.InsecureSkipVerify, AllowInsecureAuth: st.AllowInsecureAuth},
			MaildirPath: st.MaildirPath, SendmailPath: st.SendmailPath,
			Timeout:      time.Duration(st.TimeoutSeconds) * time.Second,
			MultiSession: st.MultiSession, AddressOverride: st.AddressOverride,
		},
		Inbound: inboundFromSnapshot(st.Inbound),
		OAuth2:  oauthFromSnapshot(st.OAuth2),
		creds:   &creds,
	}
}

// Settings is a's snapshot as a session file keeps it (SPEC §7); the
// inverse of [FromSnapshot] for the settings.
func (a *Account) Settings() session.Settings {
	o := a.Outbound
	return session.Settings{
		SectionUID: a.UID, Section: a.Name, Transport: a.Transport, DisplayName: a.DisplayName, Email: a.Email,
		Host: o.SMTP.Host, Port: o.SMTP.Port, Security: o.SMTP.Security, Auth: o.SMTP.Auth, Helo: o.SMTP.Helo,
		CAFile: o.SMTP.CAFile, Fingerprint: o.SMTP.Fingerprint,
		InsecureSkipVerify: o.SMTP.InsecureSkipVerify, AllowInsecureAuth: o.SMTP.AllowInsecureAuth,
		MaildirPath: o.MaildirPath, SendmailPath: o.SendmailPath,
		TimeoutSeconds: int(o.Timeout / time.Second),
		MultiSession:   o.MultiSession, AddressOverride: o.AddressOverride,
		Inbound: a.Inbound.snapshot(),
		OAuth2:  oauthSnapshot(a.OAuth2),
	}
}

// NeedsCredentials reports whether the transport logs on at all: SMTP with
// an auth mode other than none.
func (a *Account) NeedsCredentials() bool {
	return a.Transport == "smtp" && a.Outbound.SMTP.Auth != "none"
}

// TransportConfig builds the transport configuration of a with creds.
// selfExe is the running mapictl (the sendmail transport refuses it).
func (a *Account) TransportConfig(creds Credentials, selfExe string) transport.Config {
	o := a.Outbound
	return transport.Config{
		Kind: a.Transport,
		SMTP: transport.SMTPConfig{
			Host: o.SMTP.Host, Port: o.SMTP.Port, Security: o.SMTP.Security, Auth: o.SMTP.Auth, Helo: o.SMTP.Helo,
			CAFile: o.SMTP.CAFile, TLSFingerprint: o.SMTP.Fingerprint,
			InsecureSkipVerify: o.SMTP.InsecureSkipVerify, AllowInsecureAuth: o.SMTP.AllowInsecureAuth,
		},
		MaildirPath:  o.MaildirPath,
		SendmailPath: o.SendmailPath,
		Credentials:  creds.transport(),
		Timeout:      o.Timeout,
		SelfExe:      selfExe,
		Section:      a.Name,
	}
}
