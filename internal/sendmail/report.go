package sendmail

import (
	"fmt"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/spool"
)

// Queued says what a sendmail run reports when its submission r left
// message msgID queued (locked: the profile could not be opened, so it was
// only queued). queued is false when r's message was delivered or failed
// for good: the caller then reports r as message send does (r.Err).
// Otherwise the run ends with err, nil (exit 0: a later flush sends it, as
// sendmail's callers expect) but for a signal (spool.Interrupted: 75), and
// warning, when set, says why the message stays queued.
func Queued(r delivery.Receipt, msgID string, locked bool) (queued bool, warning string, err error) {
	switch {
	case locked:
		return true, fmt.Sprintf("message %s queued as %s: the profile cannot be opened without a passphrase; the next 'mapictl spool flush' that can open it sends it", msgID, r.ID), nil
	case spool.Interrupted(r.FlushErr):
		return true, "", r.FlushErr
	case r.FlushErr != nil:
		return true, fmt.Sprintf("message %s queued as %s: %s", msgID, r.ID, mapi.AsError(r.FlushErr).Msg), nil
	case r.State() == spool.StateQueued:
		reason := "another flush holds it"
		if r.Outcome.Err != nil {
			reason = delivery.TransportError(r.Outcome.Err).Msg
		}
		return true, fmt.Sprintf("message %s queued as %s for a retry (%s); 'mapictl spool flush' sends it", msgID, r.ID, reason), nil
	}
	return false, "", nil
}
