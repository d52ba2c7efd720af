package spool

import (
	"fmt"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
)

// IDFailure is a message that an action on a batch of IDs (spool retry,
// spool drop) could not act on, and why.
type IDFailure struct {
	ID  string
	Err error
}

// Batch acts on each of ids in turn with act, whatever the others did,
// and returns the IDs it acted on and those it could not, each in order.
func Batch(ids []string, act func(id string) error) (done []string, fails []IDFailure) {
	done = []string{}
	for _, id := range ids {
		if err := act(id); err != nil {
			fails = append(fails, IDFailure{id, err})
			continue
		}
		done = append(done, id)
	}
	return done, fails
}

// BatchError is the error a batch of n messages ends with, past is what
// was to be done to them ("requeued", "dropped"): nil when none failed; the
// failure itself when one did (so one ID behaves as it always has); else
// one error naming every ID that failed, "not found" ones apart, with the
// code, exit and hints of the first failure that is not MAPI_E_NOT_FOUND
// (MAPI_E_NOT_FOUND, 66, with a hint when all of them are). others are the
// failures other than "not found" when there are several, for the caller
// to report one by one.
func BatchError(past string, n int, fails []IDFailure) (err error, others []*mapi.Error) {
	switch len(fails) {
	case 0:
		return nil, nil
	case 1:
		return fails[0].Err, nil
	}
	var missing, other []string
	for _, fe := range fails {
		e := mapi.AsError(fe.Err)
		if e.Code == mapi.NotFound {
			missing = append(missing, fe.ID)
			continue
		}
		other = append(other, fe.ID)
		others = append(others, e)
	}
	msg := fmt.Sprintf("%d of %d messages not %s", len(fails), n, past)
	if len(missing) > 0 {
		msg += "; not found: " + strings.Join(missing, ", ")
	}
	if len(other) > 0 {
		msg += "; failed: " + strings.Join(other, ", ")
	}
	if len(others) == 0 {
		return mapi.Errorf(mapi.NotFound, "%s", msg).WithHint("'mapictl spool list' shows the messages in the spool"), nil
	}
	first := others[0]
	return &mapi.Error{Code: first.Code, Exit: first.Exit, Msg: msg, Hints: first.Hints, Err: first}, others
}

// Tally counts the outcomes of a flush as spool flush reports them: Sent
// (partial deliveries included), Queued, Failed, and Rejected (set aside
// in rejected/: not queued by this store, never sent).
type Tally struct {
	Sent, Queued, Failed, Rejected int
}

// Add counts oc and reports whether it did: a Skipped outcome (another
// flush holds the message) is not counted.
func (t *Tally) Add(oc Outcome) bool {
	if oc.Skipped {
		return false
	}
	switch oc.State {
	case "sent", "partial":
		t.Sent++
	case StateFailed:
		t.Failed++
	case StateRejected:
		t.Rejected++
	default:
		t.Queued++
	}
	return true
}
