package session

import (
	"path/filepath"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/transport"
)

// Settings is the snapshot of one transport section that delivery needs:
// what a session file keeps of a section (SPEC §7), plain data only.
type Settings struct {
	SectionUID  string `json:"section_uid"`
	Section     string `json:"section"`
	Transport   string `json:"transport"`
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`

	Host               string `json:"host,omitempty"`
	Port               int    `json:"port,omitempty"`
	Security           string `json:"security,omitempty"`
	Auth               string `json:"auth,omitempty"`
	Helo               string `json:"helo,omitempty"`
	CAFile             string `json:"ca_file,omitempty"`
	Fingerprint        string `json:"tls_fingerprint,omitempty"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify,omitempty"`
	AllowInsecureAuth  bool   `json:"allow_insecure_auth,omitempty"`
	MaildirPath        string `json:"maildir_path,omitempty"`
	SendmailPath       string `json:"sendmail_path,omitempty"`
	TimeoutSeconds     int    `json:"timeout,omitempty"`
	MultiSession       bool   `json:"multi_session"`
	AddressOverride    bool   `json:"address_override"`
}

// Credentials are the secrets a transport logs on with.
type Credentials struct {
	Username    string `json:"username,omitempty"`
	Password    string `json:"password,omitempty"`
	OAuth2Token string `json:"oauth2_token,omitempty"`
}

// Empty reports whether no credential is held.
func (c Credentials) Empty() bool { return c.Username == "" && c.Password == "" && c.OAuth2Token == "" }

// HasSecret reports whether a password or token is held.
func (c Credentials) HasSecret() bool { return c.Password != "" || c.OAuth2Token != "" }

// SettingsOf snapshots transport section s. storeRoot gives the default
// Maildir (<store>/mail).
func SettingsOf(s *profile.Section, storeRoot string) Settings {
	st := Settings{
		SectionUID: s.UID, Section: s.Name, Transport: s.Transport(),
		DisplayName: s.String(mapi.PrDisplayName), Email: s.String(mapi.PrEmailAddress),
		Host: s.String(mapi.PrSMTPHost), Port: int(s.Long(mapi.PrSMTPPort, 0)),
		Security: s.String(mapi.PrSMTPSecurity), Auth: s.String(mapi.PrSMTPAuth),
		Helo: s.String(mapi.PrSMTPHelo), CAFile: s.String(mapi.PrSMTPCAFile),
		Fingerprint:        s.String(mapi.PrSMTPFingerprint),
		InsecureSkipVerify: s.Bool(mapi.PrSMTPInsecure, false),
		AllowInsecureAuth:  s.Bool(mapi.PrSMTPInsecureAuth, false),
		MaildirPath:        s.String(mapi.PrMaildirPath), SendmailPath: s.String(mapi.PrSendmailPath),
		TimeoutSeconds:  int(s.Long(mapi.PrTimeout, 30)),
		MultiSession:    s.Bool(mapi.PrMultiSession, true),
		AddressOverride: s.Bool(mapi.PrAddressOverride, true),
	}
	if st.MaildirPath == "" && st.Transport == "maildir" {
		st.MaildirPath = filepath.Join(storeRoot, "mail")
	}
	if st.SendmailPath == "" && st.Transport == "sendmail" {
		st.SendmailPath = "/usr/sbin/sendmail"
	}
	return st
}

// CredentialsOf extracts the logon credentials of a decrypted secure range.
func CredentialsOf(props map[mapi.Tag]any) Credentials {
	str := func(t mapi.Tag) string { v, _ := props[t].(string); return v }
	return Credentials{Username: str(mapi.PrUsername), Password: str(mapi.PrPassword), OAuth2Token: str(mapi.PrOAuth2Token)}
}

// NeedsCredentials reports whether the transport logs on at all: SMTP with
// an auth mode other than none.
func (s Settings) NeedsCredentials() bool {
	return s.Transport == "smtp" && s.Auth != "none"
}

// TransportConfig builds the transport configuration for s with creds.
// selfExe is the running mapictl (the sendmail transport refuses it).
func (s Settings) TransportConfig(creds Credentials, selfExe string) transport.Config {
	return transport.Config{
		Kind: s.Transport,
		SMTP: transport.SMTPConfig{
			Host: s.Host, Port: s.Port, Security: s.Security, Auth: s.Auth, Helo: s.Helo,
			CAFile: s.CAFile, TLSFingerprint: s.Fingerprint,
			InsecureSkipVerify: s.InsecureSkipVerify, AllowInsecureAuth: s.AllowInsecureAuth,
		},
		MaildirPath:  s.MaildirPath,
		SendmailPath: s.SendmailPath,
		Credentials:  transport.Credentials{Username: creds.Username, Password: creds.Password, OAuth2Token: creds.OAuth2Token},
		Timeout:      time.Duration(s.TimeoutSeconds) * time.Second,
		SelfExe:      selfExe,
	}
}
