package spool

import (
	"context"
	"errors"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// Resolver returns the transport for a record. Flush calls it once per
// (profile, section uid), reuses the transport for every message of that
// section and Closes them all at the end. It returns a *mapi.Error
// Unconfigured, NoAccess or LogonFailed when it cannot; the message then
// goes to failed (not retried).
type Resolver func(rec *Record) (transport.Transport, error)

// Outcome is what Flush did with one message. State is "sent", "queued",
// "failed", "partial" or "rejected" (not queued by this store: set aside in
// rejected/, never sent; Err says why). Err keeps the original error (*transport.Error or
// *mapi.Error) so the caller can map the exit code. Skipped is set for a
// message that was not tried: claimed by another flusher, or not due.
// Session is the session the message's record names ("" for none, or when
// the record could not be read). Report is set when a non-delivery report
// was stored with the message in failed/ ("failed" or "partial"): not when
// there is no sender, the report could not be built (Warn says why), or
// FlushOptions.Seal is nil.
//
// A delivery the server accepted for some recipients and refused for
// others has Result set (see settlePartial): "partial" when some were
// refused for good (their report in failed/ under ID, or under FailedID
// when others, refused for now, stay queued under ID), "queued" with a
// temporary *transport.Error of stage rcpt when the refusals were all for
// now (the message stays queued for them alone).
type Outcome struct {
	ID      string
	State   string
	Result  *transport.Result
	Err     error
	Skipped bool
	Session string
	Report  bool
	// FailedID is the message in failed/ that holds the recipients
	// refused for good, and their report, when a partial delivery left
	// others queued under ID; "" otherwise.
	FailedID string
}

// FlushOptions selects the messages to deliver and supplies the keys and
// transports. IDs nil means every queued message; Due keeps only those whose
// NextAttempt has come; SectionUID, if set, keeps only that section's.
//
// Seal re-seals a payload whose contents change (failure reason, server
// reply, report, the rejected recipients of a partial delivery). When Seal
// is nil the old sealed bytes are kept and only the record changes: the
// failure details are then not stored, a partial delivery moves to failed/
// whole (its deferred recipients are not kept queued), and a retried
// partial delivery goes to every recipient again. Open is required.
type FlushOptions struct {
	IDs          []string
	Due          bool
	SectionUID   string
	Open         Opener
	Seal         Sealer
	Resolve      Resolver
	Progress     func(done, total int)
	ReportingMTA string // host name for reports; "" = "localhost"
	// Wait is for messages just queued (no attempt yet) and asked for by
	// ID, as message send and sendmail flush theirs: one that another
	// process holds (a concurrent flush delivering it) is waited for, not
	// skipped, and one that another process tried already (it has an
	// attempt, or left the outbox) is not tried again at once: its Outcome
	// is what that process did (see waitOther).
	Wait bool
}

type sectionKey struct{ profile, uid string }

type resolved struct {
	t   transport.Transport
	err error
	// dead is the first connection failure of the section in this flush
	// (see unreachable): its other messages are deferred with it at once,
	// as Postfix marks a destination dead, instead of each waiting for its
	// own timeout.
	dead error
}

// unreachable reports whether err says the section's server could not be
// reached at all: a temporary failure before any reply of the server
// (connect or greeting timeout, connection refused or reset, an unresolvable
// host that may resolve later, a TLS handshake that timed out). A
// certificate that does not verify is KindTLS, not temporary: its messages
// still fail one by one (SPEC §7).
func unreachable(err error) bool {
	var te *transport.Error
	if !errors.As(err, &te) || te.Kind != transport.KindTemporary || te.SMTPCode != 0 {
		return false
	}
	switch te.Stage {
	case transport.StageConnect, transport.StageTLS, transport.StageEHLO:
		return true
	}
	return false
}

// Flush delivers queued messages, one at a time, and returns one Outcome per
// message considered, in order. Over the whole outbox it first reads the
// spool once and recovers what needs it (as [Spool.Recover]); messages
// asked for by ID are recovered one by one, and no directory is read. A
// message claimed by another flusher is skipped (each message is delivered
// by one flusher), or with o.Wait waited for (see FlushOptions.Wait). A
// message that cannot be opened or read stays where it is and
// its Outcome carries the error. A message whose authentication code is
// missing or does not verify, or whose record was changed to name another
// profile or section, is moved to rejected/ and never sent. After the first
// connection failure of a section (see unreachable), its other messages are
// deferred at once with the same error, as though each had been tried.
// Errors: InvalidParameter for a malformed
// ID in o.IDs or a missing Open or Resolve (before anything is touched),
// DiskError when the outbox cannot be read.
//
// When ctx ends (SIGINT, SIGTERM), Flush takes no new message; a delivery
// in progress is interrupted by the transport, and that message stays
// queued with its record untouched (see flushOne). A message the server
// accepted before is marked sent as usual. Flush then returns the outcomes
// so far and, when messages it selected (its IDs, or its section and due
// filters) are left in the outbox, the error of [Interrupted]: NetworkError
// with exit 75 (queued for retry, SPEC §9), naming how many stay queued.
func (s *Spool) Flush(ctx context.Context, o FlushOptions) ([]Outcome, error) {
	for _, id := range o.IDs {
		if err := mapi.CheckID("message", id); err != nil {
			return nil, err
		}
	}
	if o.Open == nil || o.Resolve == nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "spool: flush needs an opener and a resolver")
	}
	ids := o.IDs
	if ids == nil {
		// The whole outbox: one scan, recovery where needed (recoverAll).
		// Messages asked for by ID are recovered one by one instead, under
		// their claim (flushClaimed): no directory is read.
		ix, probs := s.recoverAll(o.Open)
		for _, p := range probs {
			s.warn(p.id, p.err)
		}
		if ix == nil {
			return nil, probs[0].err
		}
		ids = ix.outboxIDs()
	}
	cache := map[sectionKey]resolved{}
	defer func() {
		for _, r := range cache {
			if r.t != nil {
				r.t.Close()
			}
		}
	}()
	var out []Outcome
	tried := 0
	for i, id := range ids {
		if ctx.Err() != nil {
			break
		}
		tried++
		if oc, ok := s.flushOne(ctx, id, &o, cache, o.IDs != nil); ok {
			out = append(out, oc)
		}
		if o.Progress != nil {
			o.Progress(i+1, len(ids))
		}
	}
	if ctx.Err() == nil {
		return out, nil
	}
	left := 0
	for _, id := range ids[tried:] {
		if s.selected(id, &o) {
			left++
		}
	}
	for _, oc := range out {
		if oc.State == StateQueued && !oc.Skipped {
			left++
		}
	}
	if left == 0 {
		return out, nil
	}
	return out, interruptedErr(ctx, left, o.IDs)
}

// selected reports whether the untried message id is one this flush would
// have tried: in the outbox and, unless asked for by ID, of o's section and
// due when o.Due. Only those count as left when a flush is interrupted.
func (s *Spool) selected(id string, o *FlushOptions) bool {
	dir, rec, err := s.find(id)
	if err != nil || dir != outboxDir {
		return false
	}
	if o.IDs != nil {
		return true
	}
	return (o.SectionUID == "" || rec.SectionUID == o.SectionUID) && !(o.Due && rec.NextAttempt.After(s.now()))
}

// flushOne claims, checks and delivers one message. ok is false for a
// message that is not in the outbox when it was not asked for by ID.
func (s *Spool) flushOne(ctx context.Context, id string, o *FlushOptions, cache map[sectionKey]resolved, explicit bool) (Outcome, bool) {
	c, err := s.claim(id)
	if errors.Is(err, errBusy) {
		if explicit && o.Wait {
			return s.waitOther(ctx, id, o, cache), true
		}
		return Outcome{ID: id, State: StateQueued, Skipped: true}, true
	} else if err != nil {
		return Outcome{ID: id, State: StateQueued, Err: err}, true
	}
	return s.flushClaimed(ctx, c, id, o, cache, explicit)
}

// flushClaimed is flushOne once the claim c of message id is held; it
// releases c. A message asked for by ID is first recovered (recoverOne).
func (s *Spool) flushClaimed(ctx context.Context, c *claim, id string, o *FlushOptions, cache map[sectionKey]resolved, explicit bool) (oc Outcome, listed bool) {
	gone := false
	defer func() { c.release(gone) }()
	if explicit {
		if _, err := s.recoverOne(id, o.Open, nil); err != nil && !mapi.IsCode(err, mapi.NotFound) {
			s.warn(id, err)
		}
	}
	dir, rec, err := s.find(id)
	if rec != nil {
		defer func() { oc.Session = rec.Session }()
	}
	if o.Wait && explicit && (mapi.IsCode(err, mapi.NotFound) || err == nil && (dir != outboxDir || rec.Attempts > 0)) {
		// Another process's flush took the message between its queueing
		// and this claim (delivered, failed or deferred it): report what
		// it did (otherOutcome).
		gone = err != nil || dir != outboxDir // not in the outbox: its lock goes
		return s.otherOutcome(id, dir, rec, nil, o), true
	}
	switch {
	case mapi.IsCode(err, mapi.NotFound):
		gone = true
		return Outcome{ID: id, Err: err}, explicit
	case err != nil:
		return Outcome{ID: id, State: StateQueued, Err: err}, true
	case dir != outboxDir:
		return Outcome{ID: id, State: StateFailed, Skipped: true}, explicit
	case o.SectionUID != "" && rec.SectionUID != o.SectionUID:
		return Outcome{}, false
	case o.Due && rec.NextAttempt.After(s.now()):
		return Outcome{ID: id, State: StateQueued, Skipped: true}, true
	}
	p, ct, err := s.loadPayload(outboxDir, id, o.Open)
	if err != nil {
		return Outcome{ID: id, State: StateQueued, Err: err}, true
	}
	if reject, err := s.verify(rec, p); reject {
		if merr := s.setAside(id); merr != nil {
			return Outcome{ID: id, State: StateQueued, Err: errors.Join(err, merr)}, true
		}
		gone = true
		return Outcome{ID: id, State: StateRejected, Err: err}, true
	} else if err != nil {
		return Outcome{ID: id, State: StateQueued, Err: err}, true
	}
	key := sectionKey{rec.Profile, rec.SectionUID}
	r, ok := cache[key]
	if !ok {
		r.t, r.err = o.Resolve(rec)
		if r.err == nil && r.t == nil {
			r.err = mapi.Errorf(mapi.Unconfigured, "transport not configured")
		}
		cache[key] = r
	}
	if ctx.Err() != nil {
		// Interrupted while resolving (a prompt, say): the message stays
		// as it is, not failed for a cancelled logon.
		return Outcome{ID: id, State: StateQueued, Err: interruptedErr(ctx, 1, []string{id})}, true
	}
	if r.err != nil {
		oc = s.failed(rec, p, ct, o, r.err, nil)
		gone = oc.State != StateQueued
		return oc, true
	}
	if r.dead != nil {
		// The section's server was found unreachable earlier in this
		// flush: defer at once with the same reason, no new connection.
		oc = s.settle(rec, p, ct, o, nil, r.dead)
		gone = oc.State != StateQueued
		return oc, true
	}
	res, err := r.t.Send(ctx, p.envelope(), p.Message)
	crashPoint("after-send")
	if err != nil && interruptedBy(ctx, err) {
		// The signal cut the delivery short: not an attempt of the
		// server's, so its record (attempts, backoff, reason) stays as it
		// was and the message stays queued, due as before.
		return Outcome{ID: id, State: StateQueued, Err: err}, true
	}
	if err != nil && ctx.Err() == nil && unreachable(err) {
		r.dead = err
		cache[key] = r
	}
	oc = s.settle(rec, p, ct, o, res, err)
	gone = oc.State != StateQueued // the lock lives in outbox/ only while the message does
	return oc, true
}
