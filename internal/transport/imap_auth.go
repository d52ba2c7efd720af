package transport

import (
	"context"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
)

// authenticate logs on (unless the server greeted with PREAUTH) per the
// settings; see DialIMAP for the rules. A token mechanism runs
// [tokenLogon]: the token is fetched right before AUTHENTICATE, and a
// refused one is refreshed and presented once more on the same connection.
// Errors are *Error of stage auth: a refusal of the credentials is
// KindAuth; no credentials, or a logon that would send them unprotected,
// KindConfig; no mechanism that fits, KindPermanent.
func (m *IMAPMailbox) authenticate(ctx context.Context) error {
	if m.c.State() != imap.ConnStateNotAuthenticated {
		return nil // PREAUTH
	}
	cr := m.s.creds
	hasPass := autoPassword(cr)
	hasToken := cr.Username != "" && holdsToken(cr)
	if cr.OAuth2 != nil && cr.Username == "" && (m.s.auth == "auto" || isTokenMech(m.s.auth)) {
		return &Error{Kind: KindConfig, Stage: StageAuth,
			Message: "an OAuth 2.0 logon needs a user name, and none is set",
			Hints:   []string{"set inbound.username (or username, or email) in the section"}}
	}
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
		if cr.OAuth2 != nil && m.s.auth == "auto" {
			return noTokenMech("")
		}
		return err
	}
	switch {
	case mech == "login":
		return m.login(ctx)
	case !isTokenMech(mech):
		return m.sasl(ctx, m.saslClient(mech))
	}
	return tokenLogon(ctx, cr, m.conn.whileIdle, func(token string) (string, error) {
		c := newTokenClient(mech, cr.Username, token, m.s.host, m.s.port)
		err := m.sasl(ctx, c)
		return c.status(), err
	})
}

// login runs the LOGIN command; its arguments are redacted in the
// transcript.
func (m *IMAPMailbox) login(ctx context.Context) error {
	if m.log != nil {
		m.log.imapBeginAuth()
		defer m.log.imapEndAuth()
	}
	if err := m.c.Login(m.s.creds.Username, m.s.creds.Password).Wait(); err != nil {
		return imapClassify(ctx, StageAuth, err)
	}
	return nil
}

// sasl runs one AUTHENTICATE exchange with c. Redaction follows what the
// client does: everything it sends in here is hidden but the command's
// name and mechanism.
func (m *IMAPMailbox) sasl(ctx context.Context, c sasl.Client) error {
	if m.log != nil {
		m.log.imapBeginAuth()
		defer m.log.imapEndAuth()
	}
	m.conn.sasl = true
	err := m.c.Authenticate(c)
	m.conn.sasl = false
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
// setting (auto or one mechanism). "auto" prefers SCRAM-SHA-256, PLAIN,
// then LOGIN for a password, OAUTHBEARER then XOAUTH2 for a token.
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
		for _, mech := range tokenMechs {
			if offers(mech) {
				return mech, nil
			}
		}
	}
	return "", &Error{Kind: KindPermanent, Stage: StageAuth,
		Message: "no logon the server offers fits the credentials held"}
}

// saslClient returns the SASL client of a lowercase password mechanism.
func (m *IMAPMailbox) saslClient(mech string) sasl.Client {
	cr := m.s.creds
	if mech == "scram-sha-256" {
		return newSCRAMClient(cr.Username, cr.Password)
	}
	return sasl.NewPlainClient("", cr.Username, cr.Password)
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
