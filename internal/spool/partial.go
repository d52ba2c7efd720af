package spool

import (
	"errors"
	"fmt"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// A delivery that reached some recipients and was refused by others is
// settled per recipient, as Postfix does (see the package doc, "Partial
// deliveries"):
//
//   - the accepted recipients are done: the message's line in sent.log is
//     written (fsync) before anything else changes, and they are taken out
//     of the envelope;
//   - the recipients refused for now (4xx) stay queued under the message's
//     ID, its envelope narrowed to them (re-sealed), with an attempt
//     counted, the backoff and the 5-day expiry of any temporary failure;
//   - the recipients refused for good (5xx) are failed with a non-delivery
//     report: under the message's own ID when none was refused for now
//     (the message moves to failed/, as it always did), else as a new
//     message in failed/ ([Outcome.FailedID]) holding only them and their
//     report, written before the queued message is narrowed.
//
// Without a Sealer (FlushOptions.Seal nil) nothing can be narrowed: the
// message moves to failed/ whole, as before, and `spool retry` sends it to
// every recipient again.

// deferralReason is the reason of a message whose recipients were refused
// for now while others accepted it.
const deferralReason = "some recipients were deferred"

// settlePartial settles a delivery the server accepted for some recipients
// (res.Accepted) and refused for others (res.Rejected). sent.log already
// has the message's line. The caller holds the claim.
func (s *Spool) settlePartial(rec *Record, p *Payload, ct []byte, o *FlushOptions, res *transport.Result, now time.Time) Outcome {
	rec.Attempts++
	rec.LastAttempt = now
	temp, perm := splitRejected(res.Rejected)
	expired := now.Sub(rec.Created) > expiry
	if len(temp) == 0 || o.Seal == nil || expired {
		return s.failPartial(rec, p, ct, o, res, expired && len(temp) > 0, now)
	}
	oc := Outcome{ID: rec.ID, State: StateQueued, Result: res}
	keep := temp
	if len(perm) > 0 {
		fid, report, err := s.splitFailed(rec, p, o, perm, now)
		if err != nil {
			// The refused-for-good recipients could not be failed apart:
			// they stay queued with the deferred ones (refused again at
			// the next try, they are not lost).
			keep = res.Rejected
			oc.Err = err
		} else {
			oc.State, oc.FailedID, oc.Report = "partial", fid, report
		}
	}
	te := deferral(keep, len(res.Accepted))
	np := *p
	np.To = addressesOf(keep)
	np.NDR = nil
	np.Rejected = nil
	setReason(&np, te.Error(), te)
	rec.NextAttempt = now.Add(backoff(rec.Attempts))
	rec.ErrorKind = "temporary"
	if err := s.writePair(outboxDir, o.Seal, &np, nil, rec, "after-defer-age"); err != nil {
		// The message stays as it was, every recipient queued: the
		// accepted ones get it again (at least once).
		return Outcome{ID: rec.ID, State: StateQueued, Result: res, Err: errors.Join(oc.Err, err),
			FailedID: oc.FailedID, Report: oc.Report}
	}
	if oc.State == StateQueued {
		if oc.Err == nil {
			oc.Err = te
		} else {
			oc.Err = errors.Join(te, oc.Err)
		}
	}
	return oc
}

// failPartial moves the message to failed/ with every refused recipient
// and their report: the path of a partial delivery whose refusals were all
// permanent, whose deferrals expired (expired), or that cannot be narrowed
// (no Sealer).
func (s *Spool) failPartial(rec *Record, p *Payload, ct []byte, o *FlushOptions, res *transport.Result, expired bool, now time.Time) Outcome {
	np := *p
	np.To = addressesOf(res.Rejected)
	np.Rejected, np.Reason, np.Stage = res.Rejected, "some recipients were rejected", transport.StageRcpt
	if expired {
		np.Reason = "expired after 5 days: " + deferralReason
	}
	np.SMTPCode, np.EnhancedCode = res.Rejected[0].SMTPCode, res.Rejected[0].EnhancedCode
	np.NDR = s.ndr(o, p, failuresOf(res.Rejected), now)
	kind := "permanent"
	if allTemporary(res.Rejected) && !expired {
		kind = "temporary"
	}
	oc := Outcome{ID: rec.ID, State: "partial", Result: res}
	if err := s.toFailed(rec, &np, ct, o, kind, now); err != nil {
		oc.Err = err
	}
	oc.Report = np.NDR != nil && o.Seal != nil
	return oc
}

// splitFailed writes the recipients of message rec refused for good (perm)
// as a new message in failed/, with their report: a new ID (claimed while
// it is written), the same profile, section, session and creation time.
// It returns the new ID and whether a report was stored.
func (s *Spool) splitFailed(rec *Record, p *Payload, o *FlushOptions, perm []transport.Rejection, now time.Time) (string, bool, error) {
	id := mapi.NewID(now)
	c, err := s.claim(id)
	if err != nil {
		return "", false, err
	}
	defer c.release(true) // a failed message keeps no lock file
	nrec := Record{ID: id, Profile: rec.Profile, SectionUID: rec.SectionUID, State: StateFailed,
		Attempts: rec.Attempts, NextAttempt: now, Created: rec.Created, LastAttempt: now,
		ErrorKind: "permanent", Session: rec.Session, Rev: 1}
	np := *p
	np.To = addressesOf(perm)
	np.Rejected, np.Reason, np.Stage = perm, "some recipients were rejected", transport.StageRcpt
	np.SMTPCode, np.EnhancedCode = perm[0].SMTPCode, perm[0].EnhancedCode
	np.NDR = s.ndr(o, p, failuresOf(perm), now)
	if err := s.writePair(failedDir, o.Seal, &np, nil, &nrec, "after-split-age"); err != nil {
		s.removePair(failedDir, id) // best effort: its recipients stay queued
		return "", false, err
	}
	crashPoint("after-split")
	return id, np.NDR != nil, nil
}

// deferral is the error of a message whose recipients temp were refused
// for now, delivered to n others: temporary, of stage rcpt, with the first
// refusal's codes.
func deferral(temp []transport.Rejection, n int) *transport.Error {
	return &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageRcpt,
		SMTPCode: temp[0].SMTPCode, EnhancedCode: temp[0].EnhancedCode, Rejected: temp,
		Message: fmt.Sprintf("%s (%d of %d), delivered to the others", deferralReason, len(temp), len(temp)+n)}
}

// splitRejected returns the refusals that were temporary (4xx) and those
// that were not.
func splitRejected(rs []transport.Rejection) (temp, perm []transport.Rejection) {
	for _, r := range rs {
		if r.Temporary {
			temp = append(temp, r)
		} else {
			perm = append(perm, r)
		}
	}
	return temp, perm
}

func addressesOf(rs []transport.Rejection) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Address)
	}
	return out
}
