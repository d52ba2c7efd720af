package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// pop3MaxCmd is the longest command line RFC 5034 §4 lets a client send
// with an initial response; a longer one is sent after an empty challenge.
const pop3MaxCmd = 255

// authenticate logs on as the settings say. "auto" picks, among the SASL
// mechanisms CAPA lists, SCRAM-SHA-256, PLAIN then LOGIN for a password
// (OAUTHBEARER then XOAUTH2 for a token), else USER/PASS (when CAPA lists
// USER, or the server knows no CAPA); with Credentials.OAuth2 set (an
// OAuth 2.0 section) it picks the token mechanisms only. "user" is
// USER/PASS only; "none" sends nothing. No credential is sent over a
// connection that is not encrypted and verified unless AllowInsecureAuth
// (KindConfig, stage "auth"), and with "starttls" the caller has already
// refused a server without STLS. A token mechanism runs [tokenLogon]: the
// token is fetched right before AUTH, and a refused one is refreshed and
// presented once more on the same connection. Errors are *Error of stage
// "auth".
func (m *POP3Maildrop) authenticate(ctx context.Context) error {
	cr := m.cr
	hasPass := autoPassword(cr)
	hasToken := holdsToken(cr)
	if m.s.auth == "none" {
		return nil
	}
	if !hasPass && !hasToken {
		return &Error{Kind: KindConfig, Stage: StageAuth, Message: "no inbound credentials (username and password, or an oauth2 token)"}
	}
	if !m.s.verified() && !m.s.allowIns {
		return &Error{Kind: KindConfig, Stage: StageAuth,
			Message: "refusing to send credentials over an unencrypted or unverified connection (allow-insecure-auth overrides)"}
	}
	offered := m.capa["SASL"]
	mech := m.s.auth
	if mech == "auto" {
		mech = pickMechanism(offered, hasPass, hasToken)
		if mech == "" && cr.OAuth2 != nil {
			return noTokenMech(strings.Join(offered, " "))
		}
		if mech == "" {
			_, user := m.capa["USER"]
			if !hasPass || (m.capa != nil && !user) {
				return &Error{Kind: KindPermanent, Stage: StageAuth,
					Message: "no authentication method offered by the server fits the credentials held (SASL " +
						strings.Join(offered, " ") + ")"}
			}
			mech = "user"
		}
	} else if mech != "user" && m.capa != nil && !offers(offered, mech) {
		return &Error{Kind: KindPermanent, Stage: StageAuth,
			Message: "server does not offer SASL " + strings.ToUpper(mech)}
	}
	switch {
	case mech == "user":
		return m.auth(ctx, m.userPass())
	case !isTokenMech(mech):
		return m.auth(ctx, m.sasl(saslClient(mech, cr)))
	}
	return tokenLogon(ctx, cr, nil, func(token string) (string, error) {
		c := newTokenClient(mech, cr.Username, token, m.s.host, m.s.port)
		err := m.auth(ctx, m.sasl(c))
		return c.status(), err
	})
}

// auth classifies the outcome of one logon exchange: nil, or an *Error of
// stage "auth".
func (m *POP3Maildrop) auth(ctx context.Context, err error) error {
	if err != nil {
		return classifyAuth(ctx, err)
	}
	return nil
}

// userPass runs USER and PASS (RFC 1939 §7); both arguments are redacted
// in the transcript.
func (m *POP3Maildrop) userPass() error {
	if err := m.send("USER "+m.cr.Username, "USER [redacted]"); err != nil {
		return err
	}
	if _, err := m.readStatus(StageAuth); err != nil {
		return err
	}
	if err := m.send("PASS "+m.cr.Password, "PASS [redacted]"); err != nil {
		return err
	}
	_, err := m.readStatus(StageAuth)
	return err
}

// sasl runs AUTH (RFC 5034) with c: the initial response on the command
// line when it fits, then a base64 response to each "+ " challenge until
// +OK or -ERR. Every payload is redacted in the transcript.
func (m *POP3Maildrop) sasl(c sasl.Client) error {
	mech, ir, err := c.Start()
	if err != nil {
		return err
	}
	line := "AUTH " + mech
	var pending []byte // an initial response that did not fit
	if ir != nil {
		enc := pop3B64(ir)
		if len(line)+1+len(enc) <= pop3MaxCmd {
			line += " " + enc
		} else {
			pending = ir
		}
	}
	shown := "AUTH " + mech
	if line != shown {
		shown += " [redacted]"
	}
	if err := m.send(line, shown); err != nil {
		return err
	}
	for {
		l, err := m.tp.ReadLine()
		if err != nil {
			m.broken = true
			return err
		}
		m.log.server(l)
		switch {
		case l == "+OK" || strings.HasPrefix(l, "+OK "):
			if sc, ok := c.(*scramClient); ok && sc.step < 2 {
				// RFC 5034 has no data with +OK: a server that skips its
				// final challenge never proved it knows the password.
				return &scramError{"server did not send its signature"}
			}
			return nil
		case l == "-ERR" || strings.HasPrefix(l, "-ERR "):
			return &pop3Reply{stage: StageAuth, text: strings.TrimPrefix(strings.TrimPrefix(l, "-ERR"), " ")}
		case l == "+" || strings.HasPrefix(l, "+ "):
		default:
			m.broken = true
			return &Error{Kind: KindPermanent, Stage: StageAuth, Message: "not a pop3 reply: " + pop3Trunc(l, 80)}
		}
		var resp []byte
		if pending != nil {
			resp, pending = pending, nil
		} else {
			ch, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(l, "+")))
			if derr != nil {
				err = errors.New("malformed sasl challenge")
			} else {
				resp, err = c.Next(ch)
			}
			if err != nil {
				// Cancel the exchange (RFC 5034 §4) and report our failure.
				if m.send("*", "*") == nil {
					m.readStatus(StageAuth)
				}
				return err
			}
		}
		// A response is plain base64, empty for an empty one; "=" is
		// only for an empty initial response (RFC 5034 §4).
		if err := m.send(base64.StdEncoding.EncodeToString(resp), "[redacted]"); err != nil {
			return err
		}
	}
}

// pop3B64 encodes an initial response; empty is "=" (RFC 5034 §4).
func pop3B64(b []byte) string {
	if len(b) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(b)
}
