package account

import (
	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
)

// Credentials are the secrets an account's transport logs on with. A
// session snapshot keeps them as [session.Credentials]; OAuth 2.0 refresh
// tokens, when they come, are added here.
type Credentials struct {
	Username    string
	Password    string
	OAuth2Token string
	// InboundUsername and InboundPassword are inbound.username and
	// inbound.password: the inbound side's own, when they differ from the
	// section's ([Credentials.Inbound]).
	InboundUsername string
	InboundPassword string
}

// Empty reports whether no credential is held.
func (c Credentials) Empty() bool {
	return c.Username == "" && c.Password == "" && c.OAuth2Token == "" && c.InboundUsername == "" && c.InboundPassword == ""
}

// Inbound is what the inbound side logs on with (SPEC §8): each of
// inbound.username and inbound.password when held, else the section's
// username and password; the OAuth 2.0 token is the section's. The
// result holds no inbound fields of its own.
func (c Credentials) Inbound() Credentials {
	return Credentials{Username: or(c.InboundUsername, c.Username), Password: or(c.InboundPassword, c.Password), OAuth2Token: c.OAuth2Token}
}

// HasSecret reports whether a password or token is held.
func (c Credentials) HasSecret() bool { return c.Password != "" || c.OAuth2Token != "" }

// Snapshot is c as a session snapshot keeps it.
func (c Credentials) Snapshot() session.Credentials {
	return session.Credentials{Username: c.Username, Password: c.Password, OAuth2Token: c.OAuth2Token,
		InboundUsername: c.InboundUsername, InboundPassword: c.InboundPassword}
}

func fromSnapshot(c session.Credentials) Credentials {
	return Credentials{Username: c.Username, Password: c.Password, OAuth2Token: c.OAuth2Token,
		InboundUsername: c.InboundUsername, InboundPassword: c.InboundPassword}
}

// credentialsOf extracts the logon credentials of a decrypted secure range.
func credentialsOf(props map[mapi.Tag]any) Credentials {
	str := func(t mapi.Tag) string { v, _ := props[t].(string); return v }
	return Credentials{Username: str(mapi.PrUsername), Password: str(mapi.PrPassword), OAuth2Token: str(mapi.PrOAuth2Token),
		InboundUsername: str(mapi.PrInboundUsername), InboundPassword: str(mapi.PrInboundPassword)}
}

// StoredCredentials returns the credentials a holds without asking anyone:
// under a session, the snapshot's; for a profile section, those of its
// secure range opened with ids, its binds checked (none when it has no
// range). Errors: those of profile.Section.ReadSecure (MAPI_E_NO_ACCESS
// when ids cannot open the range or the settings changed since).
func (a *Account) StoredCredentials(ids []age.Identity) (Credentials, error) {
	switch {
	case a.creds != nil:
		return fromSnapshot(*a.creds), nil
	case a.section == nil || a.section.Secure == nil:
		return Credentials{}, nil
	}
	c, err := a.section.ReadSecure(ids)
	if err != nil {
		return Credentials{}, err
	}
	return credentialsOf(c.Props), nil
}
