package transport

import (
	"context"
	"errors"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// imapClassify turns any failure of an IMAP stage into an *Error. An
// *Error is returned unchanged; a server's NO or BAD is mapped by
// imapStatusErr; when ctx is done the failure is the caller's cancellation
// (temporary, "interrupted: …"); the rest is classify's: TLS failures
// KindTLS, a dropped connection or a timeout temporary.
func imapClassify(ctx context.Context, stage string, err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var ie *imap.Error
	if errors.As(err, &ie) && ctx.Err() == nil {
		return imapStatusErr(stage, ie)
	}
	return classify(ctx, stage, err)
}

// imapStatusErr maps a tagged NO or BAD (or an untagged BYE): the response
// codes that say "later" (UNAVAILABLE, INUSE, LIMIT, SERVERBUG, OVERQUOTA)
// and a BYE are temporary; at stage auth any other NO is KindAuth (the
// credentials were refused: AUTHENTICATIONFAILED, AUTHORIZATIONFAILED,
// EXPIRED or no code; PRIVACYREQUIRED is permanent, with a hint); at stage select NONEXISTENT is KindConfig (the
// configured mailbox does not exist); everything else is permanent.
func imapStatusErr(stage string, ie *imap.Error) *Error {
	e := &Error{Kind: KindPermanent, Stage: stage, Err: ie, Message: imapReplyText(ie)}
	switch {
	case ie.Type == imap.StatusResponseTypeBye:
		e.Kind = KindTemporary
	case ie.Code == imap.ResponseCodeUnavailable, ie.Code == imap.ResponseCodeInUse,
		ie.Code == imap.ResponseCodeLimit, ie.Code == imap.ResponseCodeServerBug,
		ie.Code == imap.ResponseCodeOverQuota:
		e.Kind = KindTemporary
	case ie.Code == imap.ResponseCodePrivacyRequired:
		e.Hints = []string{"the server takes credentials only over tls: set inbound.security to tls or starttls"}
	case stage == StageAuth && ie.Type == imap.StatusResponseTypeNo:
		e.Kind = KindAuth
	case stage == StageSelect && ie.Code == imap.ResponseCodeNonExistent:
		e.Kind = KindConfig
		e.Hints = []string{"check the mailbox name: 'mapictl section set SECTION inbound.mailbox=NAME' (default INBOX)"}
	}
	return e
}

// imapReplyText is a server's status reply for Error.Message: "NO
// [CODE] text" on one line.
func imapReplyText(ie *imap.Error) string {
	var b strings.Builder
	b.WriteString("server replied " + string(ie.Type))
	if ie.Code != "" {
		b.WriteString(" [" + string(ie.Code) + "]")
	}
	if t := oneLine(ie.Text); t != "" {
		b.WriteString(" " + t)
	}
	return b.String()
}
