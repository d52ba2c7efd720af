package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"

	"github.com/mapictl/mapictl/internal/tlsconf"
)

// classify turns any failure of a network stage into an *Error. An *Error is
// returned unchanged and a server reply keeps its code; otherwise, when ctx
// is done, the failure is the caller's cancellation or deadline: temporary
// ("interrupted: …"), so a spooled message stays queued.
func classify(ctx context.Context, stage string, err error) *Error {
	if e, ok := replyErr(stage, err); ok {
		return e
	}
	if ctx.Err() != nil {
		return &Error{Kind: KindTemporary, Stage: stage, Err: ctx.Err(),
			Message: "interrupted: " + ctx.Err().Error()}
	}
	return classifyFailure(stage, err)
}

// classifyFailure is classify without a context (for Close, which has
// none): TLS failures are KindTLS of stage "tls"; a closed connection, a
// timeout and anything else that reaching the server may overcome are
// temporary; an unknown host is permanent ([NetKind]).
func classifyFailure(stage string, err error) *Error {
	if e, ok := replyErr(stage, err); ok {
		return e
	}
	e := &Error{Kind: KindTemporary, Stage: stage, Err: err}
	if f, msg := tlsconf.Classify(err); f != tlsconf.NotTLS {
		e.Kind, e.Stage, e.Message = KindTLS, StageTLS, msg
		return e
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		e.Message = "connection closed by server"
		return e
	}
	// Reaching the server: NXDOMAIN permanent, anything else (refused,
	// unreachable, timed out, resolver down) temporary.
	e.Kind, e.Message = NetKind(err)
	return e
}

// replyErr returns err's *Error unchanged, or maps its server reply (an
// *smtp.SMTPError or a raw *textproto.Error); ok is false for neither.
func replyErr(stage string, err error) (*Error, bool) {
	var te *Error
	if errors.As(err, &te) {
		return te, true
	}
	var pe *textproto.Error
	if errors.As(err, &pe) {
		err = protoToSMTP(pe)
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return smtpErr(stage, se), true
	}
	return nil, false
}

// smtpErr maps a server reply: 4xx temporary; 534, 535 and 530 with 5.7.8
// during AUTH are KindAuth; other 5xx permanent.
func smtpErr(stage string, se *smtp.SMTPError) *Error {
	e := &Error{Kind: KindPermanent, Stage: stage, SMTPCode: se.Code, Err: se,
		EnhancedCode: enhanced(se.EnhancedCode), Message: oneLine(se.Message)}
	switch {
	case se.Code >= 400 && se.Code < 500:
		e.Kind = KindTemporary
	case stage == StageAuth && (se.Code == 535 || se.Code == 534 ||
		e.EnhancedCode == "5.7.8"):
		e.Kind = KindAuth
	}
	if e.Message == "" {
		e.Message = "server replied " + strconv.Itoa(se.Code)
	}
	return e
}

// enhanced formats an enhanced status code, "" when absent.
func enhanced(c smtp.EnhancedCode) string {
	if c == smtp.NoEnhancedCode || c == (smtp.EnhancedCode{}) {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", c[0], c[1], c[2])
}

// protoToSMTP converts a raw textproto reply error (from the pre-TLS
// dialogue, which go-smtp does not run) into an *smtp.SMTPError.
func protoToSMTP(pe *textproto.Error) *smtp.SMTPError {
	se := &smtp.SMTPError{Code: pe.Code, EnhancedCode: smtp.NoEnhancedCode, Message: pe.Msg}
	first, rest, ok := strings.Cut(pe.Msg, " ")
	if !ok {
		return se
	}
	var c smtp.EnhancedCode
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return se
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return se
		}
		c[i] = n
	}
	se.EnhancedCode, se.Message = c, rest
	return se
}

// oneLine joins a multi-line server reply into one display line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
