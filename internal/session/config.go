package session

import "time"

// Settings is the snapshot of one transport section that delivery needs:
// what a session file keeps of a section (SPEC §7), plain data only. Its
// JSON is the session file's format. Package account builds it from a
// profile section and reads it back (account.FromSnapshot); session knows
// no account.
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

	// Inbound is the section's inbound side (SPEC §8); nil when it has none.
	Inbound *InboundSettings `json:"inbound,omitempty"`
	// OAuth2 are the section's oauth2.* settings (SPEC §8); nil when it
	// logs on without OAuth 2.0 (no oauth2.provider).
	OAuth2 *OAuth2Settings `json:"oauth2,omitempty"`
}

// OAuth2Settings are the oauth2.* settings a session file keeps for a
// section: where its tokens come from, never a secret (the client secret
// is in [Credentials]).
type OAuth2Settings struct {
	Provider  string   `json:"provider"`
	ClientID  string   `json:"client_id,omitempty"`
	Tenant    string   `json:"tenant,omitempty"`
	Issuer    string   `json:"issuer,omitempty"`
	AuthURL   string   `json:"auth_url,omitempty"`
	TokenURL  string   `json:"token_url,omitempty"`
	DeviceURL string   `json:"device_url,omitempty"`
	Scopes    []string `json:"scopes,omitempty"`
}

// InboundSettings are the inbound settings a session file keeps for a
// section, defaults filled in at logon, so that fetch needs no profile.
// Exactly one of Maildir and MDA is set.
type InboundSettings struct {
	Protocol           string   `json:"protocol"` // "imap" or "pop3"
	Host               string   `json:"host,omitempty"`
	Port               int      `json:"port,omitempty"`
	Security           string   `json:"security,omitempty"`
	Auth               string   `json:"auth,omitempty"`
	Mailbox            string   `json:"mailbox,omitempty"`
	Keep               bool     `json:"keep"`
	Maildir            string   `json:"maildir,omitempty"`
	MDA                []string `json:"mda,omitempty"`
	CAFile             string   `json:"ca_file,omitempty"`
	Fingerprint        string   `json:"tls_fingerprint,omitempty"`
	InsecureSkipVerify bool     `json:"insecure_skip_verify,omitempty"`
	AllowInsecureAuth  bool     `json:"allow_insecure_auth,omitempty"`
	MaxSize            int64    `json:"max_size,omitempty"`
}

// Credentials are the secrets a session file keeps for a section (plain
// data, the session file's format; account.Credentials is what a
// transport is given).
type Credentials struct {
	Username    string `json:"username,omitempty"`
	Password    string `json:"password,omitempty"`
	OAuth2Token string `json:"oauth2_token,omitempty"`
	// InboundUsername and InboundPassword are inbound.username and
	// inbound.password, when the section stores them apart.
	InboundUsername string `json:"inbound_username,omitempty"`
	InboundPassword string `json:"inbound_password,omitempty"`
	// OAuth2RefreshToken and OAuth2Expiry, with OAuth2Token, are the
	// OAuth 2.0 seed of the section's secure range (oauth2.refresh-token,
	// oauth2.expiry, oauth2-token); OAuth2ClientSecret its
	// oauth2.client-secret. The live tokens are in the store's token file,
	// not here.
	OAuth2RefreshToken string    `json:"oauth2_refresh_token,omitempty"`
	OAuth2Expiry       time.Time `json:"oauth2_expiry,omitzero"`
	OAuth2ClientSecret string    `json:"oauth2_client_secret,omitempty"`
}
