package delivery

import (
	"errors"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

// The exit of every state a send can end in (SPEC §7, §9).
func TestOutcomeError(t *testing.T) {
	rej := []transport.Rejection{{Address: "a@x", SMTPCode: 550, EnhancedCode: "5.1.1", Message: "no"}}
	temp := &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageConnect, Message: "refused"}
	perm := &transport.Error{Kind: transport.KindPermanent, Stage: transport.StageData, SMTPCode: 554, Message: "spam"}
	auth := &transport.Error{Kind: transport.KindAuth, Stage: transport.StageAuth, SMTPCode: 535}
	for _, tc := range []struct {
		name, st string
		err      error
		rej      []transport.Rejection
		exit     int
		hint     string
		report   bool
	}{
		{"partial", "partial", nil, rej, mapi.ExitRecipientsRejected, "the report is in the spool: 'mapictl spool show id1'", true},
		{"partial, no report", "partial", nil, rej, mapi.ExitRecipientsRejected, "the rejected recipients are in spool/failed as id1: 'mapictl spool show id1'", false},
		{"queued, temporary", spool.StateQueued, temp, nil, mapi.ExitQueued, "stays queued as id1", false},
		{"queued, permanent cause", spool.StateQueued, perm, nil, mapi.ExitQueued, "stays queued as id1", false},
		{"queued, no cause", spool.StateQueued, nil, nil, mapi.ExitQueued, "stays queued as id1", false},
		{"failed", spool.StateFailed, perm, nil, mapi.NetworkError.Exit, "'mapictl spool retry id1'", false},
		{"failed, auth", spool.StateFailed, auth, nil, mapi.LogonFailed.Exit, "'mapictl credential set SECTION'", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := OutcomeError("id1", tc.st, tc.err, tc.rej, tc.report)
			if e == nil || e.ExitStatus() != tc.exit {
				t.Fatalf("got %v (exit %d), want exit %d", e, e.ExitStatus(), tc.exit)
			}
			if hs := strings.Join(e.Hints, "\n"); !strings.Contains(hs, tc.hint) || !tc.report && strings.Contains(hs, "report") {
				t.Fatalf("hints %q, want %q", e.Hints, tc.hint)
			}
		})
	}
	if e := OutcomeError("id1", "sent", nil, nil, false); e != nil {
		t.Fatalf("sent: %v", e)
	}
	// A busy message stays busy; the copy that takes exit 75 leaves the
	// original error alone.
	busy := mapi.Errorf(mapi.Busy, "locked")
	if e := OutcomeError("id1", spool.StateQueued, busy, nil, false); e.Code != mapi.Busy || busy.Exit != 0 {
		t.Fatalf("busy: %+v", e)
	}
	if e := TransportError(errors.New("plain")); e.Code != mapi.CallFailed {
		t.Fatalf("plain error: %+v", e)
	}
}

func TestReceiptErr(t *testing.T) {
	if err := (Receipt{ID: "x", Tried: true, Outcome: spool.Outcome{State: "sent"}}).Err(); err != nil {
		t.Fatalf("sent: %v", err)
	}
	if err := (Receipt{ID: "x", Tried: true}).Err(); err != nil {
		t.Fatalf("no state, no error: %v", err)
	}
	cause := mapi.Errorf(mapi.CallFailed, "boom")
	if err := (Receipt{ID: "x", Tried: true, Outcome: spool.Outcome{Err: cause}}).Err(); err != cause {
		t.Fatalf("no state: %v", err)
	}
	if err := (Receipt{ID: "x"}).Err(); !mapi.IsCode(err, mapi.NetworkError) || mapi.AsError(err).ExitStatus() != mapi.ExitQueued {
		t.Fatalf("queued only: %v", err)
	}
}

// TestReceiptErrPartialSplit: a partial delivery whose recipients refused
// for good were failed apart (FailedID) while others stay queued ends in 67
// pointing to the failed message's report and naming the queued one; one
// whose refusals were all for now is 75.
func TestReceiptErrPartialSplit(t *testing.T) {
	rej := []transport.Rejection{{Address: "t@x.test", SMTPCode: 451, Temporary: true}, {Address: "b@x.test", SMTPCode: 550}}
	r := Receipt{ID: "q1", Tried: true, Outcome: spool.Outcome{ID: "q1", State: "partial", FailedID: "f1", Report: true,
		Result: &transport.Result{Accepted: []string{"o@x.test"}, Rejected: rej}}}
	e := mapi.AsError(r.Err())
	if e.ExitStatus() != mapi.ExitRecipientsRejected || !strings.Contains(strings.Join(e.Hints, "\n"), "'mapictl spool show f1'") ||
		!strings.Contains(strings.Join(e.Hints, "\n"), "stay queued as q1") {
		t.Fatalf("split: %+v", e)
	}
	// counted and coded by the refusal for good, not the deferral (review finding)
	if te := transport.ErrorDetail(e); e.Msg != "the server rejected 1 of the recipients" || te == nil || te.SMTPCode != 550 || len(te.Rejected) != 2 {
		t.Fatalf("split: %q, detail %+v", e.Msg, te)
	}
	te := &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageRcpt, SMTPCode: 451, Rejected: rej[:1]}
	r = Receipt{ID: "q1", Tried: true, Outcome: spool.Outcome{ID: "q1", State: spool.StateQueued, Err: te,
		Result: &transport.Result{Accepted: []string{"o@x.test"}, Rejected: rej[:1]}}}
	if e := mapi.AsError(r.Err()); e.ExitStatus() != mapi.ExitQueued || !strings.Contains(strings.Join(e.Hints, "\n"), "stays queued as q1") {
		t.Fatalf("deferred: %+v", e)
	}
}
