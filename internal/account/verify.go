package account

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
	"github.com/mapictl/mapictl/internal/transport"
)

// VerifyTransport builds the transport of a with c and, when it can verify
// (SMTP), connects, secures, authenticates and quits. Transports that
// cannot verify (maildir, sendmail) only have their settings checked; a
// section with transport none (inbound only) has no outbound side to
// check. Errors are *transport.Error.
func VerifyTransport(ctx context.Context, a *Account, c Credentials, selfExe string) error {
	return verifyTransport(ctx, a, c, selfExe, nil)
}

// verifyTransport is VerifyTransport writing the dialogue (AUTH redacted
// by the transport) to verbose when it is not nil, as message send -v does.
func verifyTransport(ctx context.Context, a *Account, c Credentials, selfExe string, verbose io.Writer) error {
	if a.Transport == "none" {
		return nil
	}
	cfg := a.TransportConfig(c, selfExe)
	cfg.Verbose = verbose
	t, err := transport.New(cfg)
	if err != nil {
		return err
	}
	defer t.Close()
	if v, ok := t.(transport.Verifier); ok {
		return v.Verify(ctx)
	}
	return nil
}

// inboundVerifiable reports whether a has an inbound side to log on to
// at `session logon`: one with a host (a side not yet pointed at a server
// is left to `message fetch` to report).
func (a *Account) inboundVerifiable() bool { return a.HasInbound() && a.Inbound.Host != "" }

// verifyInbound logs on to a's inbound side with c and logs off (IMAP:
// LOGIN or AUTHENTICATE, SELECT, LOGOUT; POP3: USER/PASS or AUTH, QUIT),
// the dialogue to verbose when not nil, when a has one with a host
// ([Account.inboundVerifiable]). Errors are *transport.Error.
func verifyInbound(ctx context.Context, a *Account, c Credentials, verbose io.Writer) error {
	if !a.inboundVerifiable() {
		return nil
	}
	src, err := DialInbound(ctx, a, c, verbose)
	if err != nil {
		return err
	}
	return src.Close()
}

// verifyError maps a verification failure of section to the *mapi.Error
// every command reports for it (transport.MAPIError, SPEC §9): refused
// credentials MAPI_E_LOGON_FAILED (77), a bad configuration
// MAPI_E_UNCONFIGURED (78), a server that cannot be reached
// MAPI_E_NETWORK_ERROR 75, one that refuses for good, a certificate that
// does not verify or a host that does not exist 69. The transport's stage
// and reply codes are kept for -o json; the message never holds a secret
// (transport errors hold none). oauth2 says the section logs on with
// OAuth 2.0 (the hint says to sign in again).
func verifyError(section string, oauth2 bool, err error) error {
	var te *transport.Error
	if err == nil || !errors.As(err, &te) {
		return err
	}
	msg := "section " + quote(section) + ": cannot verify the logon"
	switch te.Kind {
	case transport.KindAuth:
		msg = "section " + quote(section) + ": the server refused the credentials"
	case transport.KindConfig:
		msg = "section " + quote(section) + " is not configured for logon"
	}
	e, _ := transport.MAPIError(err, msg)
	switch te.Kind {
	case transport.KindAuth:
		addRefusedHint(e, section, oauth2)
	case transport.KindConfig:
		e.WithHint("fix its settings with 'mapictl section set " + textsafe.ShellArg(section) + " PROP=VALUE'")
	default:
		e.WithHint("log on without connecting with --offline")
	}
	return e
}

func quote(s string) string { return `"` + s + `"` }

// addRefusedHint gives e, credentials of section that were refused, the
// hint of [refusedHint], in place of the SMTP transport's own to check the
// stored credentials; for an OAuth 2.0 section (oauth2) it replaces a
// hint of the transport's or token supply's that says to sign in again
// without naming the section, and is left out when one names it.
func addRefusedHint(e *mapi.Error, section string, oauth2 bool) {
	if !oauth2 {
		e.Hints = slices.DeleteFunc(e.Hints, func(h string) bool { return strings.Contains(h, "mapictl credential set ") })
		e.WithHint(refusedHint(section, false))
		return
	}
	if slices.ContainsFunc(e.Hints, func(h string) bool {
		return strings.Contains(h, "credential oauth2 "+section) || strings.Contains(h, "credential oauth2 "+textsafe.ShellArg(section))
	}) {
		return
	}
	e.Hints = slices.DeleteFunc(e.Hints, func(h string) bool { return strings.Contains(h, "credential oauth2") })
	e.WithHint(refusedHint(section, true))
}

// refusedHint is the hint of credentials a server refused: sign in again
// for an OAuth 2.0 section (oauth2), else store new ones.
func refusedHint(section string, oauth2 bool) string {
	if oauth2 {
		return "sign in again with 'mapictl credential oauth2 " + textsafe.ShellArg(section) + "'"
	}
	return "check them, or store new ones with 'mapictl credential set " + textsafe.ShellArg(section) + "'"
}
