package delivery

import (
	"context"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

// Submission is one message to queue and, unless QueueOnly, deliver now.
// Profile, SectionUID and Session are what the spool record names (an
// empty SectionUID: the profile's default transport at flush time). Snap
// is the current session (nil for none): its keys seal and open the
// message besides the store's. Resolve gives the flush its transport.
type Submission struct {
	Profile, SectionUID, Session string
	Snap                         *session.Snapshot
	Payload                      *spool.Payload
	Resolve                      spool.Resolver
	QueueOnly                    bool
}

// Receipt is what Submit did. ID is the message's spool id ("" when
// nothing was queued). Tried is set when a flush ran on the message, and
// Outcome then holds what it did. FlushErr is set when the flush could not
// run at all: the message stays queued as ID for a later flush.
type Receipt struct {
	ID       string
	Tried    bool
	Outcome  spool.Outcome
	FlushErr error
}

// State is the message's state after Submit: "queued" when it was only
// queued, not tried (QueueOnly, FlushErr, or Outcome.Skipped: another flush
// holds it), else the Outcome's state ("sent", "partial", "queued",
// "failed"); "" when the flush gave no state (Outcome.Err says why).
func (r Receipt) State() string {
	if !r.Tried || r.Outcome.Skipped {
		return spool.StateQueued
	}
	return r.Outcome.State
}

// Accepted returns the recipients the server accepted, if it was reached.
func (r Receipt) Accepted() []string {
	if r.Outcome.Result == nil {
		return nil
	}
	return r.Outcome.Result.Accepted
}

// Rejected returns the recipients the server rejected, if it was reached.
func (r Receipt) Rejected() []transport.Rejection {
	if r.Outcome.Result == nil {
		return nil
	}
	return r.Outcome.Result.Rejected
}

// Submit seals s.Payload to k.Recipients(s.Snap) and queues it in sp
// (before any network step), then, unless s.QueueOnly, flushes that one
// message now (waiting, if another process's flush holds it, for what that
// flush did: spool.FlushOptions.Wait) through s.Resolve, opened with k.Opener(s.Snap) and re-sealed
// to the same recipients. An error from sealing or queueing is returned
// with an empty Receipt; a flush that cannot run is Receipt.FlushErr (the
// message stays queued); a flush that returns no outcome for the message
// is MAPI_E_CALL_FAILED with the Receipt's ID set. A delivery that fails
// is no error here: Receipt.Outcome carries it for the caller to report
// and map to an exit code.
func (k Keys) Submit(ctx context.Context, sp *spool.Spool, s Submission) (Receipt, error) {
	seal, err := k.Recipients(s.Snap)
	if err != nil {
		return Receipt{}, err
	}
	id, err := sp.Enqueue(seal, s.Profile, s.SectionUID, s.Session, s.Payload)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{ID: id}
	if s.QueueOnly {
		return r, nil
	}
	// Wait: if a concurrent flush holds the message, its outcome is this
	// send's (issue 29), never a bare "not delivered".
	outs, err := sp.Flush(ctx, spool.FlushOptions{IDs: []string{id},
		Open: k.Opener(s.Snap), Seal: seal, Resolve: s.Resolve, Wait: true})
	if err != nil {
		r.FlushErr = err
		return r, nil
	}
	if len(outs) != 1 {
		return r, mapi.Errorf(mapi.CallFailed, "message %s: no delivery outcome", id)
	}
	r.Tried, r.Outcome = true, outs[0]
	if res := r.Outcome.Result; res != nil && res.Accepted == nil {
		// Delivered by another process's flush, which knew the message
		// only by ID: its recipients are this payload's, less those the
		// server rejected.
		res.Accepted = spool.Accepted(s.Payload.To, res.Rejected)
	}
	return r, nil
}
