package transport

import (
	"context"
	"strings"

	"github.com/emersion/go-sasl"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// authenticate runs AUTH on a greeted connection according to the settings
// and credentials. It refuses (KindConfig, stage "auth") to send credentials
// over a connection that is not encrypted and verified, unless
// AllowInsecureAuth. Without credentials under "auto", or with "none", it
// does nothing. Under "auto" an OAuth 2.0 section (Credentials.OAuth2 set)
// logs on by token only. A token mechanism runs [tokenLogon]: the token is
// fetched right before AUTH, and a refused one is refreshed and presented
// once more on the same connection. ctx ending interrupts it (see dial).
func (t *smtpTransport) authenticate(ctx context.Context, sc *smtpConn) error {
	cr := t.creds
	hasPass := autoPassword(cr)
	hasToken := holdsToken(cr)
	if t.s.auth == "none" || (t.s.auth == "auto" && !hasPass && !hasToken) {
		return nil
	}
	if !t.s.verified() && !t.s.allowIns {
		return &Error{Kind: KindConfig, Stage: StageAuth,
			Message: "refusing to send credentials over an unencrypted or unverified connection (allow-insecure-auth overrides)"}
	}
	ok, offered := sc.c.Extension("AUTH")
	if !ok {
		return &Error{Kind: KindPermanent, Stage: StageAuth,
			Message: "server offers no AUTH but credentials are configured"}
	}
	mech := t.s.auth
	if mech == "auto" {
		mech = pickMechanism(strings.Fields(offered), hasPass, hasToken)
		if mech == "" && cr.OAuth2 != nil {
			return noTokenMech(offered)
		}
		if mech == "" {
			return &Error{Kind: KindPermanent, Stage: StageAuth,
				Message: "no AUTH mechanism offered by the server fits the credentials held (server offers " + offered + ")"}
		}
	} else if !offers(strings.Fields(offered), mech) {
		return &Error{Kind: KindPermanent, Stage: StageAuth,
			Message: "server does not offer AUTH " + strings.ToUpper(mech)}
	}
	if !isTokenMech(mech) {
		return t.refusedHint(t.auth(ctx, sc, saslClient(mech, cr)))
	}
	return tokenLogon(ctx, cr, nil, func(token string) (string, error) {
		c := newTokenClient(mech, cr.Username, token, t.s.host, t.s.port)
		err := t.auth(ctx, sc, c)
		return c.status(), err
	})
}

// auth runs one AUTH exchange with c; a failure is an *Error
// ([classifyAuth]). Everything the client sends during it is redacted in
// the transcript.
func (t *smtpTransport) auth(ctx context.Context, sc *smtpConn, c sasl.Client) error {
	if t.log != nil {
		// Redaction follows what the client does, not what the server
		// replies: everything the client sends in here is hidden.
		t.log.beginAuth()
		defer t.log.endAuth()
	}
	if err := sc.c.Auth(c); err != nil {
		return classifyAuth(ctx, err)
	}
	return nil
}

// refusedHint returns err, adding to a refused password (KindAuth) the hint
// to check the stored credentials of the section, named as a shell needs
// it, when the section is known (Config.Section); without it,
// delivery.TransportError adds the hint with the placeholder SECTION.
func (t *smtpTransport) refusedHint(err error) error {
	if e, ok := err.(*Error); ok && e.Kind == KindAuth && t.s.section != "" {
		e.Hints = append(e.Hints, "check the stored credentials with 'mapictl credential set "+textsafe.ShellArg(t.s.section)+"'")
	}
	return err
}

// classifyAuth maps an AUTH failure; a failure of our own SASL client (e.g.
// a SCRAM server signature that does not verify) is permanent, unless ctx
// ended (interrupted, temporary).
func classifyAuth(ctx context.Context, err error) error {
	e := classify(ctx, StageAuth, err)
	if _, ok := err.(*scramError); ok && ctx.Err() == nil {
		e.Kind = KindPermanent
	}
	return e
}

// pickMechanism chooses, among the offered mechanisms, SCRAM-SHA-256, PLAIN
// then LOGIN for a password, and OAUTHBEARER then XOAUTH2 for a token
// ([tokenMechs]). "" if none fits.
func pickMechanism(offered []string, hasPass, hasToken bool) string {
	var prefs []string
	if hasPass {
		prefs = append(prefs, "scram-sha-256", "plain", "login")
	}
	if hasToken {
		prefs = append(prefs, tokenMechs...)
	}
	for _, p := range prefs {
		if offers(offered, p) {
			return p
		}
	}
	return ""
}

func offers(offered []string, mech string) bool {
	for _, o := range offered {
		if strings.EqualFold(o, mech) {
			return true
		}
	}
	return false
}

// saslClient returns the client of a lowercase password mechanism.
func saslClient(mech string, cr Credentials) sasl.Client {
	switch mech {
	case "scram-sha-256":
		return newSCRAMClient(cr.Username, cr.Password)
	case "plain":
		return sasl.NewPlainClient("", cr.Username, cr.Password)
	}
	return &loginClient{user: cr.Username, pass: cr.Password}
}

// loginClient implements LOGIN without an initial response, answering the
// "Username:" and "Password:" prompts (by text, else by order).
type loginClient struct {
	user, pass string
	step       int
}

func (c *loginClient) Start() (string, []byte, error) { return "LOGIN", nil, nil }

func (c *loginClient) Next(challenge []byte) ([]byte, error) {
	c.step++
	ch := strings.ToLower(string(challenge))
	switch {
	case strings.Contains(ch, "user"):
		return []byte(c.user), nil
	case strings.Contains(ch, "pass"):
		return []byte(c.pass), nil
	case c.step == 1:
		return []byte(c.user), nil
	case c.step == 2:
		return []byte(c.pass), nil
	}
	return nil, sasl.ErrUnexpectedServerChallenge
}
