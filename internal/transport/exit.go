package transport

import (
	"errors"
	"net"

	"github.com/mapictl/mapictl/internal/mapi"
)

// NetKind classifies a failure to reach a server, the one rule every
// command follows (SPEC §9): a host that does not exist (NXDOMAIN:
// *net.DNSError with IsNotFound) is KindPermanent; everything else — a
// resolver that cannot be reached or answers SERVFAIL (IsTimeout,
// IsTemporary), a connection refused, no route to the host, a timeout, a
// connection reset — is KindTemporary, since retrying later may succeed.
// The message describes the failure for Error.Message.
func NetKind(err error) (Kind, string) {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		if dns.IsNotFound && !dns.IsTimeout && !dns.IsTemporary {
			return KindPermanent, "cannot resolve host: " + err.Error()
		}
		return KindTemporary, "cannot resolve host: " + err.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return KindTemporary, "timed out: " + err.Error()
	}
	return KindTemporary, err.Error()
}

// MAPIError turns a transport failure into the *mapi.Error every command
// reports for it (SPEC §9), msg before the transport's own message; the
// *Error is kept in its Detail (stage and reply codes for -o json, see
// [ErrorDetail]). ok is false when err holds no
// *Error (it is returned as mapi.AsError gives it). The mapping:
//
//   - KindTemporary (unreachable, timed out, 4xx): MAPI_E_NETWORK_ERROR, 75;
//   - every recipient refused (stage rcpt, permanently): MAPI_E_NOT_FOUND,
//     67, as when some are;
//   - KindPermanent (5xx, NXDOMAIN) and KindTLS: MAPI_E_NETWORK_ERROR, 69;
//   - KindAuth: MAPI_E_LOGON_FAILED, 77; MAPI_E_NO_ACCESS, 77, when the
//     cause is the TokenSource's *mapi.Error of that code (a token file
//     bound to other settings: no token was presented);
//   - KindConfig: MAPI_E_UNCONFIGURED, 78;
//   - a failure of the TokenSource (a *mapi.Error) keeps its code and exit
//     (75 for a network error without one): a corrupt token file is
//     MAPI_E_CORRUPT_DATA 65 (KindLocal), a lock that cannot be taken
//     MAPI_E_DISK_ERROR 74; an interrupted refresh is an interrupted
//     delivery, 75.
func MAPIError(err error, msg string) (e *mapi.Error, ok bool) {
	var te *Error
	if !errors.As(err, &te) {
		return mapi.AsError(err), false
	}
	e = &mapi.Error{Msg: te.Error(), Err: err, Detail: te, Hints: append([]string(nil), te.Hints...)}
	if msg != "" {
		e.Msg = msg + ": " + e.Msg
	}
	switch te.Kind {
	case KindTemporary:
		e.Code, e.Exit = mapi.NetworkError, mapi.ExitQueued
	case KindPermanent, KindTLS:
		e.Code = mapi.NetworkError
		if te.Kind == KindPermanent && te.Stage == StageRcpt && len(te.Rejected) > 0 {
			e.Code, e.Exit = mapi.NotFound, mapi.ExitRecipientsRejected
		}
	case KindAuth:
		e.Code = mapi.LogonFailed
		var me *mapi.Error
		if errors.As(te.Err, &me) && me.Code == mapi.NoAccess {
			e.Code = mapi.NoAccess
		}
	default:
		e.Code = mapi.Unconfigured
	}
	// A TokenSource interrupted by a signal is the delivery's interruption:
	// 75, as every other interrupted delivery (the message stays queued).
	if me := te.source; me != nil && me.Code != mapi.UserCancel {
		e.Code, e.Exit = me.Code, me.ExitStatus()
		if te.Kind == KindTemporary && me.Exit == 0 && me.Code == mapi.NetworkError {
			e.Exit = mapi.ExitQueued
		}
	}
	return e, true
}

// ErrorDetail returns the *Error a *mapi.Error carries in its Detail (as
// [MAPIError] puts it there), or nil when e is nil or carries none. Only
// e itself is looked at, not the errors it wraps.
func ErrorDetail(e *mapi.Error) *Error {
	if e == nil {
		return nil
	}
	te, _ := e.Detail.(*Error)
	return te
}
