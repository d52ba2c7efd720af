package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"
)

// classify turns any failure of a network stage into an *Error. An *Error is
// returned unchanged. ctx, if done, explains the failure as cancellation or
// timeout of the caller.
func classify(ctx context.Context, stage string, err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var pe *textproto.Error
	if errors.As(err, &pe) {
		err = protoToSMTP(pe)
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return smtpErr(stage, se)
	}
	e := &Error{Kind: KindTemporary, Stage: stage, Err: err}
	if ctx != nil && ctx.Err() != nil {
		e.Err = ctx.Err()
		e.Message = "interrupted: " + ctx.Err().Error()
		return e
	}
	var pin *pinMismatchError
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var he x509.HostnameError
	var cie x509.CertificateInvalidError
	var alert tls.AlertError
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(err, &pin), errors.As(err, &cve), errors.As(err, &uae),
		errors.As(err, &he), errors.As(err, &cie):
		e.Kind, e.Stage = KindTLS, StageTLS
		e.Message = "certificate does not verify: " + err.Error()
	case errors.As(err, &alert), errors.As(err, &rhe):
		e.Kind, e.Stage = KindTLS, StageTLS
		e.Message = "tls handshake failed: " + err.Error()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Message = "connection closed by server"
	default:
		// Reaching the server: NXDOMAIN permanent, anything else
		// (refused, unreachable, timed out, resolver down) temporary.
		e.Kind, e.Message = NetKind(err)
	}
	return e
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
