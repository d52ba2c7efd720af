package transport

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"

	"github.com/mapictl/mapictl/internal/mapi"
)

// OAuth 2.0 logons (SPEC §8), shared by SMTP, IMAP and POP3: the bearer
// token mechanisms, the token supply and the refresh after a refusal.

// tokenMechs are the SASL mechanisms that present a bearer token, in the
// order "auto" prefers them: OAUTHBEARER (RFC 7628), then XOAUTH2.
var tokenMechs = []string{"oauthbearer", "xoauth2"}

// isTokenMech reports whether the lowercase mechanism presents a token.
func isTokenMech(mech string) bool { return mech == "oauthbearer" || mech == "xoauth2" }

// holdsToken reports whether cr holds an OAuth 2.0 token: a static one or
// a TokenSource.
func holdsToken(cr Credentials) bool { return cr.OAuth2Token != "" || cr.OAuth2 != nil }

// autoPassword reports whether "auto" may log on with the password: it
// must be held, and the section must not be an OAuth 2.0 one (OAuth2 set),
// whose logon is by token only.
func autoPassword(cr Credentials) bool {
	return cr.OAuth2 == nil && cr.Username != "" && cr.Password != ""
}

// noTokenMech is the failure of "auto" on an OAuth 2.0 section whose
// server offers neither token mechanism.
func noTokenMech(offered string) *Error {
	msg := "the server offers neither OAUTHBEARER nor XOAUTH2, which an OAuth 2.0 logon needs"
	if offered != "" {
		msg += " (server offers " + offered + ")"
	}
	return &Error{Kind: KindPermanent, Stage: StageAuth, Message: msg}
}

// refreshHint is the next step after a refreshed token was refused too.
// The section is not known here; the caller may add a precise hint.
const refreshHint = "sign in again with mapictl credential oauth2"

// tokenLogon runs a token logon. try runs one AUTH exchange presenting
// token and returns its failure classified as an *Error (nil when the
// server accepted it) and the status of the server's error challenge ("" if
// none). The token is cr.OAuth2's, fetched now, else cr.OAuth2Token.
//
// A refusal (KindAuth) becomes "the server refused the OAuth 2.0 token
// (status S)". With a TokenSource the refused token is refreshed once
// (Refresh) and try runs again on the same connection; a second refusal
// adds [refreshHint]. Any other failure of try (a server that closed the
// connection after refusing, say) is returned as try classified it. A
// failure of the TokenSource is [tokenSourceErr]'s. quiet, when not nil,
// runs each call of the TokenSource: IMAP uses it to keep its connection
// from timing out while the provider answers.
func tokenLogon(ctx context.Context, cr Credentials, quiet func(func()),
	try func(token string) (status string, err error)) error {
	call := func(f func() (string, error)) (tok string, err error) {
		if quiet == nil {
			return f()
		}
		quiet(func() { tok, err = f() })
		return tok, err
	}
	tok := cr.OAuth2Token
	if cr.OAuth2 != nil {
		var err error
		if tok, err = call(func() (string, error) { return cr.OAuth2.Token(ctx) }); err != nil {
			return tokenSourceErr(ctx, err)
		}
	}
	status, err := try(tok)
	e := authRefusal(err)
	if e == nil {
		return err
	}
	if cr.OAuth2 == nil {
		return tokenRefused(e, status, false)
	}
	tok, err = call(func() (string, error) { return cr.OAuth2.Refresh(ctx, tok) })
	if err != nil {
		return tokenSourceErr(ctx, err)
	}
	status, err = try(tok)
	if e = authRefusal(err); e == nil {
		return err
	}
	return tokenRefused(e, status, true)
}

// authRefusal returns err's *Error when it is a refusal of the
// credentials (KindAuth), else nil.
func authRefusal(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindAuth {
		return e
	}
	return nil
}

// tokenRefused rewords a refusal e of a token: the reply codes, the cause
// and the server's text stay.
func tokenRefused(e *Error, status string, again bool) *Error {
	r := *e
	r.Kind, r.Stage = KindAuth, StageAuth
	r.Message = "the server refused the OAuth 2.0 token"
	if status != "" {
		r.Message += " (status " + status + ")"
	}
	if e.Message != "" {
		r.Message += ": " + e.Message
	}
	r.Hints = append([]string(nil), e.Hints...)
	if again {
		r.Hints = append(r.Hints, refreshHint)
	}
	return &r
}

// tokenSourceErr reports a failure of the TokenSource as an *Error of
// stage auth whose Kind follows the *mapi.Error's code (logon failed or no
// access: auth; unconfigured: config; network error, busy or cancelled:
// temporary; corrupt data, disk error, call failed or invalid parameter:
// local; anything else permanent), with its message and hints, and Err the
// original; [MAPIError] gives the command that *mapi.Error's code and exit.
// An error that is no *mapi.Error is temporary when ctx ended, else
// permanent.
func tokenSourceErr(ctx context.Context, err error) *Error {
	e := &Error{Kind: KindPermanent, Stage: StageAuth, Err: err, Message: err.Error()}
	var me *mapi.Error
	if !errors.As(err, &me) {
		if ctx.Err() != nil {
			e.Kind, e.Message = KindTemporary, "interrupted: "+ctx.Err().Error()
		}
		return e
	}
	e.Message, e.Hints, e.source = me.Msg, append([]string(nil), me.Hints...), me
	switch me.Code {
	case mapi.LogonFailed, mapi.NoAccess:
		e.Kind = KindAuth
	case mapi.Unconfigured:
		e.Kind = KindConfig
	case mapi.NetworkError, mapi.Busy, mapi.UserCancel:
		e.Kind = KindTemporary
	case mapi.CorruptData, mapi.DiskError, mapi.CallFailed, mapi.InvalidParameter:
		e.Kind = KindLocal
	}
	return e
}

// tokenClient is a SASL client that presents a bearer token. After the
// server refused it, status returns what the error challenge said.
type tokenClient interface {
	sasl.Client
	status() string
}

// newTokenClient returns the client of a token mechanism; host and port
// go into OAUTHBEARER's message (RFC 7628 §3.1).
func newTokenClient(mech, user, token, host string, port int) tokenClient {
	if mech == "oauthbearer" {
		return &oauthBearerClient{user: user, token: token, host: host, port: port}
	}
	return &xoauth2Client{user: user, token: token}
}

// errSecondChallenge is a token mechanism's answer to a challenge after
// the error challenge: the server should have ended the exchange.
var errSecondChallenge = &Error{Kind: KindPermanent, Stage: StageAuth,
	Message: "the server sent another SASL challenge after refusing the OAuth 2.0 token"}

// oauthBearerClient is OAUTHBEARER (RFC 7628). go-sasl's client answers
// the error challenge with an error, which cancels the exchange with "*";
// RFC 7628 §3.2.3 wants a single %x01 instead, and this client sends it.
type oauthBearerClient struct {
	user, token, host string
	port              int
	refusal           string
	refused           bool
}

func (c *oauthBearerClient) Start() (string, []byte, error) {
	var b strings.Builder
	b.WriteString("n,")
	if c.user != "" {
		b.WriteString("a=" + gs2Escape(c.user))
	}
	b.WriteString(",")
	if c.host != "" {
		b.WriteString("\x01host=" + c.host)
	}
	if c.port != 0 {
		b.WriteString("\x01port=" + strconv.Itoa(c.port))
	}
	b.WriteString("\x01auth=Bearer " + c.token + "\x01\x01")
	return "OAUTHBEARER", []byte(b.String()), nil
}

// Next answers the server's error challenge (RFC 7628 §3.2.2) with %x01
// and keeps its status; the server's final reply is the refusal.
func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	if c.refused {
		return nil, errSecondChallenge
	}
	c.refused, c.refusal = true, challengeStatus(challenge)
	return []byte{0x01}, nil
}

func (c *oauthBearerClient) status() string { return c.refusal }

// gs2Escape encodes a GS2 authzid (RFC 5801 §4): "," and "=" as "=2C" and
// "=3D".
func gs2Escape(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// xoauth2Client implements Google/Microsoft XOAUTH2.
type xoauth2Client struct {
	user, token string
	refusal     string
	refused     bool
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next answers the JSON error challenge with an empty response, after which
// the server sends its final failure reply; it keeps the status.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.refused {
		return nil, errSecondChallenge
	}
	c.refused, c.refusal = true, challengeStatus(challenge)
	return []byte{}, nil
}

func (c *xoauth2Client) status() string { return c.refusal }

// challengeStatus returns the "status" of an error challenge, the JSON
// object {"status":…,"schemes":…,"scope":…} of RFC 7628 §3.2.2 (XOAUTH2
// sends the same): a string, or a number as Google's "400". It is the
// server's text: cut to 64 bytes of printable ASCII. "" when the challenge
// is no such object.
func challengeStatus(challenge []byte) string {
	var v struct {
		Status json.RawMessage `json:"status"`
	}
	if json.Unmarshal(challenge, &v) != nil || len(v.Status) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v.Status, &s) != nil {
		var n json.Number
		if json.Unmarshal(v.Status, &n) != nil {
			return ""
		}
		s = n.String()
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}
