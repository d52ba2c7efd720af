package main

// The one place where delivery results become exit codes (SPEC §7, §9):
// sent 0; queued for retry 75; some or all recipients rejected 67; permanent
// failure (5xx, a certificate that does not verify, an unknown host) 69;
// credentials refused 77; not configured or credentials missing 78. Every
// transport failure becomes a *mapi.Error carrying the *transport.Error in
// its Detail, so -o json errors show its stage and SMTP codes
// (addTransportDetail); mapi itself knows no SMTP.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/textsafe"
	"github.com/mapictl/mapictl/internal/transport"
)

// transportError converts a transport failure into a *mapi.Error (the
// mapping every command shares, transport.MAPIError); other errors are
// returned as mapi.AsError gives them.
func transportError(err error) *mapi.Error {
	e, ok := transport.MAPIError(err, "delivery failed")
	if ok && e.Code == mapi.LogonFailed {
		e.Hints = append(e.Hints, "check the stored credentials with 'mapictl credential set SECTION'")
	}
	return e
}

// addTransportDetail adds the stage and SMTP codes of the transport failure
// e carries (transport.ErrorDetail) to its -o json error object obj as
// "stage", "smtp_code" and "enhanced_code" (SPEC §9, docs/json.md), each
// only when set.
func addTransportDetail(obj map[string]any, e *mapi.Error) {
	te := transport.ErrorDetail(e)
	if te == nil {
		return
	}
	if te.Stage != "" {
		obj["stage"] = te.Stage
	}
	if te.SMTPCode != 0 {
		obj["smtp_code"] = te.SMTPCode
	}
	if te.EnhancedCode != "" {
		obj["enhanced_code"] = te.EnhancedCode
	}
}

// errStage is the transport stage e failed in, "" if none.
func errStage(e *mapi.Error) string {
	if te := transport.ErrorDetail(e); te != nil {
		return te.Stage
	}
	return ""
}

// outcomeError returns the error message send ends with for a message in
// state st ("sent", "partial", "queued", "failed") after err; nil for sent.
func outcomeError(id, st string, err error, rejected []transport.Rejection) *mapi.Error {
	switch st {
	case "sent":
		return nil
	case "partial":
		e := mapi.Errorf(mapi.NotFound, "the server rejected %d of the recipients", len(rejected)).
			WithExit(mapi.ExitRecipientsRejected)
		te := &transport.Error{Kind: transport.KindPermanent, Stage: transport.StageRcpt, Rejected: rejected}
		if len(rejected) > 0 {
			te.SMTPCode, te.EnhancedCode = rejected[0].SMTPCode, rejected[0].EnhancedCode
		}
		e.Detail = te
		return e.WithHint("the report is in the spool: 'mapictl spool show " + id + "'")
	}
	if err == nil {
		err = mapi.Errorf(mapi.NetworkError, "message %s was not delivered", id)
	}
	e := transportError(err)
	if st == "queued" {
		if e.ExitStatus() != mapi.ExitQueued && e.Code != mapi.Busy {
			// A queued message always ends in 75, whatever kept it there.
			c := *e
			e = &c
			e.Exit = mapi.ExitQueued
		}
		return e.WithHint("it stays queued as " + id + "; 'mapictl spool flush' tries again")
	}
	return e.WithHint("the message is in spool/failed as " + id + "; see 'mapictl spool show " + id +
		"', then 'mapictl spool retry " + id + "' once the cause is fixed")
}

// messageError maps composition errors: malformed input 65, anything else
// the user typed 64.
func messageError(err error) error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return err
	}
	c := mapi.InvalidParameter
	if errors.Is(err, message.ErrMalformed) {
		c = mapi.CorruptData
	}
	return &mapi.Error{Code: c, Msg: err.Error(), Err: err}
}

// rejectionLines formats each rejected recipient for text output, control
// characters (from the server's reply) escaped.
func rejectionLines(rs []transport.Rejection) []string {
	var out []string
	for _, r := range rs {
		parts := []string{"rejected:", r.Address}
		if r.SMTPCode != 0 {
			parts = append(parts, fmt.Sprint(r.SMTPCode))
		}
		if r.EnhancedCode != "" {
			parts = append(parts, r.EnhancedCode)
		}
		if r.Message != "" {
			parts = append(parts, r.Message)
		}
		out = append(out, textsafe.Escape(strings.Join(parts, " ")))
	}
	return out
}

// rejectionJSON is one rejected recipient in -o json output.
type rejectionJSON struct {
	Address  string `json:"address"`
	SMTPCode int    `json:"smtp_code"`
	Message  string `json:"message"`
}

func rejectionsJSON(rs []transport.Rejection) []rejectionJSON {
	out := []rejectionJSON{}
	for _, r := range rs {
		out = append(out, rejectionJSON{r.Address, r.SMTPCode, r.Message})
	}
	return out
}
