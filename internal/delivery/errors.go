package delivery

// The one place where delivery results become errors, and so exit codes
// (SPEC §7, §9): sent 0; queued for retry 75; some or all recipients
// rejected 67; permanent failure (5xx, a certificate that does not verify,
// an unknown host) 69; credentials refused 77; not configured or
// credentials missing 78; a local failure of the token supply (corrupt
// token file 65, unusable lock 74) its own, the message staying queued. Every transport failure becomes a *mapi.Error
// carrying the *transport.Error in its Detail (transport.MAPIError), so a
// caller can show its stage and SMTP codes; mapi itself knows no SMTP.

import (
	"slices"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

// TransportError converts a transport failure into a *mapi.Error (the
// mapping every command shares, transport.MAPIError, with a hint to check
// the stored credentials when they were refused, unless the failure names
// a mapictl credential command already: the SMTP transport's names the
// section, an OAuth 2.0 token's says to sign in again; this one, for a
// transport that does not know its section, has the placeholder SECTION);
// other errors are returned as mapi.AsError gives them.
func TransportError(err error) *mapi.Error {
	e, ok := transport.MAPIError(err, "delivery failed")
	if ok && e.Code == mapi.LogonFailed && !slices.ContainsFunc(e.Hints, func(h string) bool {
		return strings.Contains(h, "mapictl credential ")
	}) {
		e.Hints = append(e.Hints, "check the stored credentials with 'mapictl credential set SECTION'")
	}
	return e
}

// OutcomeError returns the error a send ends with for message id in state
// st ("sent", "partial", "queued", "failed") after err; nil for sent. A
// partial delivery is MAPI_E_NOT_FOUND, 67, counted by the recipients
// refused for good, with a transport error of stage rcpt (the first such
// refusal's codes; every refusal listed) in its Detail, and a hint that points
// to the non-delivery report only when report says one was stored; a queued message always
// ends in 75 (MAPI_E_BUSY's own exit aside), whatever kept it there, but
// for a local failure (transport.KindLocal: a token file that is corrupt,
// 65, or cannot be locked, 74), which keeps its code and exit; every
// other state is TransportError's. Each names what to do next.
func OutcomeError(id, st string, err error, rejected []transport.Rejection, report bool) *mapi.Error {
	switch st {
	case "sent":
		return nil
	case "partial":
		// Counted and coded by the refusals for good: those refused for
		// now (4xx) stay queued and are listed, not counted.
		perm := slices.DeleteFunc(slices.Clone(rejected), func(r transport.Rejection) bool { return r.Temporary })
		if len(perm) == 0 {
			perm = rejected
		}
		e := mapi.Errorf(mapi.NotFound, "the server rejected %d of the recipients", len(perm)).
			WithExit(mapi.ExitRecipientsRejected)
		te := &transport.Error{Kind: transport.KindPermanent, Stage: transport.StageRcpt, Rejected: rejected}
		if len(perm) > 0 {
			te.SMTPCode, te.EnhancedCode = perm[0].SMTPCode, perm[0].EnhancedCode
		}
		e.Detail = te
		if report {
			return e.WithHint("the report is in the spool: 'mapictl spool show " + id + "'")
		}
		return e.WithHint("the rejected recipients are in spool/failed as " + id + ": 'mapictl spool show " + id + "'")
	}
	if err == nil {
		err = mapi.Errorf(mapi.NetworkError, "message %s was not delivered", id)
	}
	e := TransportError(err)
	if st == spool.StateQueued {
		if te := transport.ErrorDetail(e); te != nil && te.Kind == transport.KindLocal {
			return e.WithHint("it stays queued as " + id + "; fix the cause, then 'mapictl spool flush' tries again")
		}
		if e.ExitStatus() != mapi.ExitQueued && e.Code != mapi.Busy {
			c := *e
			e = &c
			e.Exit = mapi.ExitQueued
		}
		return e.WithHint("it stays queued as " + id + "; 'mapictl spool flush' tries again")
	}
	return e.WithHint("the message is in spool/failed as " + id + "; see 'mapictl spool show " + id +
		"', then 'mapictl spool retry " + id + "' once the cause is fixed")
}

// Err is the error the submission ends with once it was tried: nil when
// sent; when the flush gave no state, its error as mapi.AsError gives it
// (nil for none); else [OutcomeError] of the receipt. A partial delivery
// that left recipients refused for now queued as ID and failed those
// refused for good as spool.Outcome.FailedID is OutcomeError of the
// failed message, with a hint naming the queued one.
func (r Receipt) Err() error {
	st := r.State()
	if st == "" {
		if e := mapi.AsError(r.Outcome.Err); e != nil {
			return e
		}
		return nil
	}
	id := r.ID
	if r.Outcome.FailedID != "" {
		id = r.Outcome.FailedID
	}
	e := OutcomeError(id, st, r.Outcome.Err, r.Rejected(), r.Outcome.Report)
	if e == nil {
		return nil
	}
	if id != r.ID {
		e = e.WithHint("the recipients refused for now stay queued as " + r.ID + "; 'mapictl spool flush' tries them again")
	}
	return e
}
