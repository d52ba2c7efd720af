package account

import (
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/transport"
)

// Credentials are the secrets an account's transport logs on with. A
// session snapshot keeps them as [session.Credentials] (all but OAuth2).
type Credentials struct {
	Username    string
	Password    string
	OAuth2Token string
	// InboundUsername and InboundPassword are inbound.username and
	// inbound.password: the inbound side's own, when they differ from the
	// section's ([Credentials.Inbound]).
	InboundUsername string
	InboundPassword string
	// OAuth2RefreshToken and OAuth2Expiry, with OAuth2Token, are the
	// secure range's OAuth 2.0 seed (oauth2.refresh-token, oauth2.expiry,
	// oauth2-token); OAuth2ClientSecret is oauth2.client-secret.
	OAuth2RefreshToken string
	OAuth2Expiry       time.Time
	OAuth2ClientSecret string
	// OAuth2 is the token supply of an OAuth 2.0 section, attached by the
	// [Resolver] and by [Logon]; nil otherwise. The transports present its
	// tokens instead of a password or OAuth2Token.
	OAuth2 transport.TokenSource
}

// Empty reports whether no credential is held.
func (c Credentials) Empty() bool {
	return c.Username == "" && c.Password == "" && c.OAuth2Token == "" && c.InboundUsername == "" && c.InboundPassword == "" &&
		c.OAuth2RefreshToken == "" && c.OAuth2ClientSecret == "" && c.OAuth2 == nil
}

// Inbound is what the inbound side logs on with (SPEC §8): each of
// inbound.username and inbound.password when held, else the section's
// username and password; the OAuth 2.0 token and its supply are the
// section's. The result holds no inbound fields of its own.
func (c Credentials) Inbound() Credentials {
	out := c
	out.Username, out.Password = or(c.InboundUsername, c.Username), or(c.InboundPassword, c.Password)
	out.InboundUsername, out.InboundPassword = "", ""
	return out
}

// HasSecret reports whether a password, a token or a token supply is held.
func (c Credentials) HasSecret() bool {
	return c.Password != "" || c.OAuth2Token != "" || c.OAuth2 != nil
}

// transport is c as a transport is given it. With a token supply the
// static token (the seed's) is not passed: the supply hands it out.
func (c Credentials) transport() transport.Credentials {
	if c.OAuth2 != nil {
		return transport.Credentials{Username: c.Username, Password: c.Password, OAuth2: c.OAuth2}
	}
	return transport.Credentials{Username: c.Username, Password: c.Password, OAuth2Token: c.OAuth2Token}
}

// Snapshot is c as a session snapshot keeps it (the token supply is not
// kept: a process under the session attaches its own).
func (c Credentials) Snapshot() session.Credentials {
	return session.Credentials{Username: c.Username, Password: c.Password, OAuth2Token: c.OAuth2Token,
		InboundUsername: c.InboundUsername, InboundPassword: c.InboundPassword,
		OAuth2RefreshToken: c.OAuth2RefreshToken, OAuth2Expiry: c.OAuth2Expiry, OAuth2ClientSecret: c.OAuth2ClientSecret}
}

func fromSnapshot(c session.Credentials) Credentials {
	return Credentials{Username: c.Username, Password: c.Password, OAuth2Token: c.OAuth2Token,
		InboundUsername: c.InboundUsername, InboundPassword: c.InboundPassword,
		OAuth2RefreshToken: c.OAuth2RefreshToken, OAuth2Expiry: c.OAuth2Expiry, OAuth2ClientSecret: c.OAuth2ClientSecret}
}

// credentialsOf extracts the logon credentials of a decrypted secure range.
func credentialsOf(props map[mapi.Tag]any) Credentials {
	str := func(t mapi.Tag) string { v, _ := props[t].(string); return v }
	exp, _ := props[mapi.PrOAuth2Expiry].(time.Time)
	return Credentials{Username: str(mapi.PrUsername), Password: str(mapi.PrPassword), OAuth2Token: str(mapi.PrOAuth2Token),
		InboundUsername: str(mapi.PrInboundUsername), InboundPassword: str(mapi.PrInboundPassword),
		OAuth2RefreshToken: str(mapi.PrOAuth2RefreshToken), OAuth2Expiry: exp, OAuth2ClientSecret: str(mapi.PrOAuth2ClientSecret)}
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
