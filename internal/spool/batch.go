package spool

import (
	"github.com/mapictl/mapictl/internal/mapi"
)

// Requeue makes message id due now, whatever its state: a failed one goes
// back to the outbox as [Spool.Retry] moves it (attempts reset); a queued
// one stays in the outbox with its next attempt set to now (its attempts,
// and so its 5-day expiry, unchanged). It returns the state the message was
// in. Errors are Retry's: InvalidParameter (malformed ID, before any file
// is touched; a message set aside in rejected/), NotFound, CorruptData,
// Busy (being delivered), DiskError.
func (s *Spool) Requeue(id string) (string, error) {
	c, err := s.claimChecked(id)
	if err != nil {
		return "", err
	}
	dir, rec, err := s.find(id)
	if mapi.IsCode(err, mapi.NotFound) && s.isRejected(id) {
		c.release(false)
		return "", rejectedErr(id)
	}
	if err != nil {
		// An unknown ID leaves no lock file behind.
		c.release(mapi.IsCode(err, mapi.NotFound))
		return "", err
	}
	if dir == failedDir {
		c.release(false)
		return StateFailed, s.Retry(id)
	}
	defer c.release(false)
	rec.NextAttempt = s.now()
	rec.Rev++
	return StateQueued, s.writeRecord(outboxDir, rec)
}

// IDsIn returns the IDs of the messages in state ([StateQueued] or
// [StateFailed]) in [Spool.List]'s order. Errors: InvalidParameter for
// another state, and List's.
func (s *Spool) IDsIn(state string) ([]string, error) {
	_, ids, err := s.idsIn(state)
	return ids, err
}

// idsIn is IDsIn, with the scan it read the spool from.
func (s *Spool) idsIn(state string) (*index, []string, error) {
	if state != StateQueued && state != StateFailed {
		return nil, nil, mapi.Errorf(mapi.InvalidParameter, "state must be %s or %s, not %q", StateFailed, StateQueued, state)
	}
	ix, recs, err := s.list()
	if err != nil {
		return nil, nil, err
	}
	ids := []string{}
	for _, r := range recs {
		if r.State == state {
			ids = append(ids, r.ID)
		}
	}
	return ix, ids, nil
}

// DropIn drops every message in state ([StateQueued] or [StateFailed]), as
// [Spool.DropEach] does, from one read of the spool: it returns their IDs
// (in List's order), those dropped and the failures. Errors are IDsIn's.
func (s *Spool) DropIn(state string) (ids, done []string, fails []IDFailure, err error) {
	ix, ids, err := s.idsIn(state)
	if err != nil {
		return nil, nil, nil, err
	}
	done, fails = Batch(ids, func(id string) error { return s.drop(id, ix.m[id]) })
	return ids, done, fails, nil
}
