package session

import (
	"context"
	"errors"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// VerifyTransport builds the transport of s with c and, when it can verify
// (SMTP), connects, secures, authenticates and quits. Transports that
// cannot verify (maildir, sendmail) only have their settings checked.
// Errors are *transport.Error.
func VerifyTransport(ctx context.Context, s Settings, c Credentials, selfExe string) error {
	t, err := transport.New(s.TransportConfig(c, selfExe))
	if err != nil {
		return err
	}
	defer t.Close()
	if v, ok := t.(transport.Verifier); ok {
		return v.Verify(ctx)
	}
	return nil
}

// verifyError maps a verification failure of section to a *mapi.Error:
// refused credentials are MAPI_E_LOGON_FAILED (77), a bad configuration
// MAPI_E_UNCONFIGURED (78), anything else MAPI_E_NETWORK_ERROR (69). The
// transport's stage and reply codes are kept for -o json; the message
// never holds a secret (transport errors hold none).
func verifyError(section string, err error) error {
	if err == nil {
		return nil
	}
	var te *transport.Error
	if !errors.As(err, &te) {
		return err
	}
	var e *mapi.Error
	switch te.Kind {
	case transport.KindAuth:
		e = mapi.Wrap(mapi.LogonFailed, te, "section "+quote(section)+": the server refused the credentials").
			WithHint("check them, or store new ones with 'mapictl credential set " + section + "'")
	case transport.KindConfig:
		e = mapi.Wrap(mapi.Unconfigured, te, "section "+quote(section)+" is not configured for logon").
			WithHint("fix its settings with 'mapictl section set " + section + " PROP=VALUE'")
	default:
		e = mapi.Wrap(mapi.NetworkError, te, "section "+quote(section)+": cannot verify the logon").
			WithHint("log on without connecting with --offline")
	}
	e.Stage, e.SMTPCode, e.EnhancedCode = te.Stage, te.SMTPCode, te.EnhancedCode
	return e
}

func quote(s string) string { return `"` + s + `"` }
