package transport

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Envelope is the SMTP envelope of one message.
type Envelope struct {
	From string   // envelope sender (MAIL FROM), bare address; "" is the null sender
	To   []string // recipients (RCPT TO), bare addresses; Bcc included
	// Optional DSN/BODY parameters (sendmail -N/-R/-V/-B); zero means not sent.
	DSNNotify []string // e.g. ["SUCCESS","FAILURE"] or ["NEVER"]
	DSNReturn string   // "FULL" or "HDRS"
	EnvID     string
	Body      string // "8BITMIME" or "7BIT"
}

// Rejection is one recipient the server refused while others were accepted
// (or, inside an [*Error] of stage "rcpt", one of the recipients when all
// were refused).
type Rejection struct {
	Address      string
	SMTPCode     int
	EnhancedCode string
	Message      string
	Temporary    bool
}

// Result says what happened to each recipient of a delivered message.
type Result struct {
	Accepted []string
	Rejected []Rejection
}

// Transport delivers messages. Implementations may keep a connection open
// between Send calls (SMTP reuses one connection for many messages and
// reconnects transparently if the server dropped it) and release it in
// Close. Send must be safe to call many times in a row; it need not be
// concurrency-safe.
type Transport interface {
	// Send delivers msg (a complete RFC 5322 message, CRLF or LF line
	// endings accepted) to env.To. If at least one recipient is accepted and
	// the data is accepted, it returns a Result (with any rejections) and
	// nil. If every recipient is rejected, or any other step fails, it
	// returns an *Error.
	Send(ctx context.Context, env *Envelope, msg []byte) (*Result, error)
	// Close releases the connection, if any (SMTP sends QUIT). Errors are
	// *Error with stage "quit".
	Close() error
}

// Verifier is implemented by transports that can check credentials without
// sending (SMTP: connect, TLS, EHLO, AUTH, QUIT). Used by session logon.
// Errors are *Error.
type Verifier interface {
	Verify(ctx context.Context) error
}

// Config selects and configures one transport.
type Config struct {
	Kind         string // "smtp", "maildir", "sendmail"
	SMTP         SMTPConfig
	MaildirPath  string // maildir: root of the Maildir (cur/new/tmp created 0700 if missing)
	SendmailPath string // sendmail: the program; default /usr/sbin/sendmail
	Credentials  Credentials
	Timeout      time.Duration // per network step; 0 = 30s
	// Verbose, if non-nil, receives the SMTP dialogue with AUTH payloads
	// redacted, message data summarised and control characters escaped.
	Verbose io.Writer
	// SelfExe is the path of the running mapictl binary (os.Executable); the
	// sendmail transport refuses (KindConfig) a program that resolves
	// (symlinks followed, os.SameFile) to it. "" means os.Executable().
	SelfExe string
	// Hostname for Maildir file names and the EHLO default ("" = os.Hostname).
	Hostname string
	// Section is the name of the section the transport sends for, named in
	// the commands of hints ("" = the placeholder SECTION).
	Section string
}

// SMTPConfig configures the smtp transport.
type SMTPConfig struct {
	Host string
	Port int // 0 = by security: 587 starttls, 465 tls, 25 none
	// Security is "starttls" (default; required: a server not offering
	// STARTTLS fails with KindTLS, stage "tls"), "tls" (implicit) or "none".
	Security string
	// Auth is "auto" (default), "scram-sha-256", "plain", "login",
	// "oauthbearer", "xoauth2" or "none". "auto" picks SCRAM-SHA-256, PLAIN
	// then LOGIN for a password, OAUTHBEARER then XOAUTH2 for a token, as
	// the server offers them; with Credentials.OAuth2 set, tokens only.
	Auth   string
	Helo   string // EHLO name; default Config.Hostname
	CAFile string // PEM certificates added to the system roots
	// TLSFingerprint is the pinned SHA-256 of the leaf certificate DER, in
	// hex (colons and case ignored). When set, verification is the pin match
	// only.
	TLSFingerprint     string
	InsecureSkipVerify bool
	// AllowInsecureAuth permits AUTH over plaintext or an unverified
	// (InsecureSkipVerify) connection.
	AllowInsecureAuth bool
}

// Credentials are the secrets a transport logs on with. They never appear
// in errors or transcripts.
type Credentials struct {
	Username    string
	Password    string
	OAuth2Token string
	// OAuth2, when set, supplies the bearer tokens of an OAuth 2.0 logon
	// (SPEC §8) in place of OAuth2Token: auth "auto" then picks
	// OAUTHBEARER or XOAUTH2, whatever password is held.
	OAuth2 TokenSource
}

// TokenSource supplies OAuth 2.0 bearer tokens (SPEC §8). It is
// implemented by internal/oauth over the store's token file; a transport
// knows no store. Its errors are *mapi.Error: MAPI_E_LOGON_FAILED or
// MAPI_E_NO_ACCESS (sign in again, 77), MAPI_E_UNCONFIGURED (78),
// MAPI_E_NETWORK_ERROR (the provider could not be reached, 75),
// MAPI_E_USER_CANCEL; a transport reports them as an [*Error] of stage
// "auth" whose Kind follows the code and whose Err is the original.
type TokenSource interface {
	// Token returns the token to present now; a token that expires
	// within a minute is refreshed first.
	Token(ctx context.Context) (string, error)
	// Refresh returns a new token after a server refused refused. A
	// transport calls it at most once per logon, then retries the logon
	// once with the new token.
	Refresh(ctx context.Context, refused string) (string, error)
}

// defaultTimeout is Config.Timeout when zero.
const defaultTimeout = 30 * time.Second

// New validates cfg and returns the transport it selects. It does not touch
// the network. Errors are *Error of KindConfig, stage "config".
func New(cfg Config) (Transport, error) {
	if cfg.Timeout < 0 {
		return nil, configErr("timeout must not be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	// Each constructor returns a concrete pointer, which must not reach the
	// interface result when it is nil: a Transport holding a nil
	// *smtpTransport passes the caller's "t != nil" and Close dereferences
	// it (issue 24). Hence the explicit nil on every error.
	switch cfg.Kind {
	case "smtp":
		t, err := newSMTP(cfg)
		if err != nil {
			return nil, err
		}
		return t, nil
	case "maildir":
		t, err := newMaildir(cfg)
		if err != nil {
			return nil, err
		}
		return t, nil
	case "sendmail":
		t, err := newSendmail(cfg)
		if err != nil {
			return nil, err
		}
		return t, nil
	case "":
		return nil, configErr("transport not configured")
	default:
		return nil, configErr(fmt.Sprintf("unknown transport kind %q", cfg.Kind))
	}
}
