package transport

import (
	"fmt"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Kind classifies an [*Error] for the caller (and, in mapictl, its exit
// code).
type Kind int

const (
	// KindTemporary: network errors, timeouts, 4xx replies; retry later (75).
	KindTemporary Kind = iota
	// KindPermanent: 5xx replies, an unknown host, a permanent program
	// failure (69).
	KindPermanent
	// KindAuth: credentials refused (535, 534, ...) (77).
	KindAuth
	// KindTLS: a certificate that does not verify, STARTTLS required but not
	// offered; permanent (69).
	KindTLS
	// KindConfig: transport not configured, bad settings, missing
	// credentials, sendmail is mapictl itself (78).
	KindConfig
	// KindLocal: a failure on this machine, not the server's nor the
	// message's: a token file that is corrupt (65) or cannot be read,
	// written or locked (74), an internal failure (70) or bad input (64).
	// Its exit is the cause's (*mapi.Error); a queued message stays queued,
	// without a report.
	KindLocal
)

// String returns the lowercase name of k ("temporary", "permanent", "auth",
// "tls", "config", "local").
func (k Kind) String() string {
	switch k {
	case KindTemporary:
		return "temporary"
	case KindPermanent:
		return "permanent"
	case KindAuth:
		return "auth"
	case KindTLS:
		return "tls"
	case KindConfig:
		return "config"
	case KindLocal:
		return "local"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Stage names of [Error.Stage].
const (
	StageConnect = "connect"
	StageTLS     = "tls"
	StageEHLO    = "ehlo"
	StageAuth    = "auth"
	StageMail    = "mail"
	StageRcpt    = "rcpt"
	StageData    = "data"
	StageQuit    = "quit"
	StageConfig  = "config"
	StageDeliver = "deliver"

	// Stages of the inbound side (IMAP, POP3; SPEC §8); connect, tls,
	// auth and deliver are shared with SMTP.
	StageGreeting = "greeting"
	StageSelect   = "select"
	StageFetch    = "fetch"
	StageDelete   = "delete"
	StageLogout   = "logout"
)

// Error is every failure of a transport.
type Error struct {
	Kind         Kind
	Stage        string // one of the Stage* constants
	SMTPCode     int    // reply code, 0 if none
	EnhancedCode string // e.g. "5.7.8", "" if none
	// Message never contains a password, token or AUTH payload. It may
	// quote a server's reply as sent, control characters included: text
	// output escapes it (textsafe.Escape) before it reaches a terminal.
	Message string
	// Err is the wrapped cause (see Unwrap); it contains no secret either.
	Err error
	// Rejected lists every recipient's refusal when stage is "rcpt" and all
	// recipients were refused.
	Rejected []Rejection
	// Hints are next steps for the user (mapictl prints them as hints),
	// e.g. the settings and the server's fingerprint when a certificate
	// does not verify. Never a secret.
	Hints []string

	// source is the TokenSource's failure this Error reports (see
	// tokenSourceErr), nil for any other: its code and exit are the
	// command's (MAPIError).
	source *mapi.Error
}

// Error returns "STAGE: [CODE [ENHANCED] ]MESSAGE", e.g.
// "auth: 535 5.7.8 authentication failed".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Stage)
	b.WriteString(": ")
	if e.SMTPCode != 0 {
		fmt.Fprintf(&b, "%d ", e.SMTPCode)
		if e.EnhancedCode != "" {
			b.WriteString(e.EnhancedCode + " ")
		}
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether retrying later may succeed (KindTemporary).
func (e *Error) Temporary() bool { return e.Kind == KindTemporary }

// configErr is a KindConfig error of stage "config".
func configErr(msg string) *Error {
	return &Error{Kind: KindConfig, Stage: StageConfig, Message: msg}
}
