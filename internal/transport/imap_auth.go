package transport

import (
	"context"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
)

// authenticate logs on (unless the server greeted with PREAUTH) per the
// settings; see DialIMAP for the rules. Errors are *Error of stage auth: a
// refusal of the credentials is KindAuth; no credentials, or a logon that
// would send them unprotected, KindConfig; no mechanism that fits,
// KindPermanent.
func (m *IMAPMailbox) authenticate(ctx context.Context) error {
	if m.c.State() != imap.ConnStateNotAuthenticated {
		return nil // PREAUTH
	}
	cr := m.s.creds
	hasPass := cr.Username != "" && cr.Password != ""
	hasToken := cr.Username != "" && cr.OAuth2Token != ""
	if m.s.auth == "none" || (m.s.auth == "auto" && !hasPass && !hasToken) {
		return &Error{Kind: KindConfig, Stage: StageAuth,
			Message: "the server requires a logon but no inbound credentials are set",
			Hints:   []string{"set inbound.username and inbound.password (or username and password) in the section's secure properties"}}
	}
	if !m.s.verified() && !m.s.allowIns {
		return &Error{Kind: KindConfig, Stage: StageAuth,
			Message: "refusing to send credentials over an unencrypted or unverified connection (inbound.allow-insecure-auth overrides)"}
	}
	caps := m.c.Caps()
	if caps == nil {
		return imapNoCaps(ctx, StageAuth)
	}
	mech, err := imapPickMechanism(caps, m.s.auth, hasPass, hasToken)
	if err != nil {
		return err
	}
	if m.log != nil {
		// Redaction follows what the client does: everything it sends in
		// here is hidden but the command's name and mechanism.
		m.log.imapBeginAuth()
		defer m.log.imapEndAuth()
	}
	if mech == "login" {
		err = m.c.Login(cr.Username, cr.Password).Wait()
	} else {
		m.conn.sasl = true
		err = m.c.Authenticate(m.saslClient(mech))
		m.conn.sasl = false
	}
	if err != nil {
		e := imapClassify(ctx, StageAuth, err)
		if _, ok := err.(*scramError); ok && ctx.Err() == nil {
			e.Kind = KindPermanent
		}
		return e
	}
	return nil
}

// imapPickMechanism chooses how to log on: "login" (the LOGIN command) or a
// SASL mechanism the server offers (AUTH=…), lowercase. want is the
// setting (auto or one mechanism).
func imapPickMechanism(caps imap.CapSet, want string, hasPass, hasToken bool) (string, error) {
	offers := func(mech string) bool { return caps.Has(imap.Cap("AUTH=" + strings.ToUpper(mech))) }
	canLogin := !caps.Has(imap.CapLoginDisabled)
	if want != "auto" {
		if want == "login" {
			if !canLogin {
				return "", &Error{Kind: KindPermanent, Stage: StageAuth, Message: "server refuses the LOGIN command (LOGINDISABLED)"}
			}
			return want, nil
		}
		if !offers(want) {
			return "", &Error{Kind: KindPermanent, Stage: StageAuth,
				Message: "server does not offer AUTHENTICATE " + strings.ToUpper(want)}
		}
		return want, nil
	}
	if hasPass {
		for _, mech := range []string{"scram-sha-256", "plain"} {
			if offers(mech) {
				return mech, nil
			}
		}
		if canLogin {
			return "login", nil
		}
	}
	if hasToken {
		for _, mech := range []string{"xoauth2", "oauthbearer"} {
			if offers(mech) {
				return mech, nil
			}
		}
	}
	return "", &Error{Kind: KindPermanent, Stage: StageAuth,
		Message: "no logon the server offers fits the credentials held"}
}

// saslClient returns the SASL client for a lowercase mechanism name.
func (m *IMAPMailbox) saslClient(mech string) sasl.Client {
	cr := m.s.creds
	switch mech {
	case "scram-sha-256":
		return newSCRAMClient(cr.Username, cr.Password)
	case "plain":
		return sasl.NewPlainClient("", cr.Username, cr.Password)
	case "oauthbearer":
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: cr.Username,
			Token: cr.OAuth2Token, Host: m.s.host, Port: m.s.port})
	}
	return &xoauth2Client{user: cr.Username, token: cr.OAuth2Token}
}

// selectMailbox runs SELECT (deletions need a read-write mailbox; fetching
// with BODY.PEEK[] leaves flags alone) and keeps UIDVALIDITY, the message
// count and the capabilities of the logged-on session.
func (m *IMAPMailbox) selectMailbox(ctx context.Context) error {
	data, err := m.c.Select(m.s.mailbox, nil).Wait()
	if err != nil {
		return imapClassify(ctx, StageSelect, err)
	}
	if data.UIDValidity == 0 {
		return &Error{Kind: KindPermanent, Stage: StageSelect,
			Message: "server sent no UIDVALIDITY for " + m.s.mailbox + ": messages cannot be told apart across sessions"}
	}
	m.validity = data.UIDValidity
	m.mu.Lock()
	m.known = max(m.known, data.NumMessages) // an EXISTS may have come in since
	m.mu.Unlock()
	if m.caps = m.c.Caps(); m.caps == nil {
		return imapNoCaps(ctx, StageSelect)
	}
	return nil
}
