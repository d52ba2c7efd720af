package spool

import (
	"errors"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Reseal re-encrypts with seal every queued and failed message whose record
// match accepts (issue 24, point 9: at session logoff, the messages queued
// under the session are re-sealed without the session's key, so the
// logged-off token no longer opens them). Each message is opened with open
// and must verify (see [Spool.verify]) before it is re-sealed, so Reseal
// never authenticates a message that was not queued by this store; its
// record keeps its place, state and attempts, and loses its Session (the
// session is gone). A message that matches but cannot be claimed (it is
// being delivered), opened or verified is left as it was and reported to
// Warn; the errors are also returned, joined, with the IDs re-sealed.
// A nil match is refused (InvalidParameter), as is a nil open or seal.
func (s *Spool) Reseal(match func(*Record) bool, open Opener, seal Sealer) ([]string, error) {
	if match == nil || open == nil || seal == nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "spool: reseal needs a filter, an opener and a sealer")
	}
	ix, err := s.scan()
	if err != nil {
		return nil, err
	}
	return s.reseal(ix, ix.ids, match, open, seal)
}

// ResealIDs is [Spool.Reseal] over the messages ids only, read by name
// (no directory is read); an ID that is not in the spool is skipped.
func (s *Spool) ResealIDs(ids []string, match func(*Record) bool, open Opener, seal Sealer) ([]string, error) {
	if match == nil || open == nil || seal == nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "spool: reseal needs a filter, an opener and a sealer")
	}
	for _, id := range ids {
		if err := mapi.CheckID("message", id); err != nil {
			return nil, err
		}
	}
	return s.reseal(nil, ids, match, open, seal)
}

// reseal re-seals the messages of ids that match; ix, when not nil, is the
// scan they come from (their records are read from it).
func (s *Spool) reseal(ix *index, ids []string, match func(*Record) bool, open Opener, seal Sealer) ([]string, error) {
	var done []string
	var errs []error
	for _, id := range ids {
		ok, err := s.resealOne(ix, id, match, open, seal)
		if err != nil {
			s.warn(id, err)
			errs = append(errs, err)
		}
		if ok {
			done = append(done, id)
		}
	}
	return done, errors.Join(errs...)
}

func (s *Spool) resealOne(ix *index, id string, match func(*Record) bool, open Opener, seal Sealer) (bool, error) {
	// A cheap look first: most messages do not match and need no claim.
	look := s.find
	if ix != nil {
		look = func(id string) (string, *Record, error) { rec, err := s.record(ix, id); return "", rec, err }
	}
	if _, rec, err := look(id); err != nil || !match(rec) {
		return false, nil
	}
	c, err := s.claim(id)
	if errors.Is(err, errBusy) {
		return false, mapi.Errorf(mapi.Busy, "message %s is being delivered by another process: not re-sealed", id)
	} else if err != nil {
		return false, err
	}
	gone := false
	defer func() { c.release(gone) }()
	dir, rec, err := s.find(id)
	if err != nil || !match(rec) {
		gone = mapi.IsCode(err, mapi.NotFound)
		return false, nil
	}
	gone = dir == failedDir
	p, _, err := s.loadPayload(dir, id, open)
	if err != nil {
		return false, mapi.Errorf(mapi.AsError(err).Code, "message %s cannot be re-sealed: %s", id, mapi.AsError(err).Msg)
	}
	if reject, err := s.verify(rec, p); err != nil {
		if reject {
			err = mapi.Errorf(mapi.NoAccess, "message %s is not re-sealed: it was not queued by this store (the next flush sets it aside)", id)
		}
		return false, err
	}
	rec.Session = ""
	if err := s.writePair(dir, seal, p, nil, rec, "after-reseal-age"); err != nil {
		return false, err
	}
	return true, nil
}

// BySession returns the IDs of the queued and failed messages whose record
// names session id, sorted. It changes nothing and skips records it cannot
// read.
func (s *Spool) BySession(id string) []string {
	ix, err := s.scan()
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range ix.ids {
		if rec, err := s.record(ix, m); err == nil && rec.Session == id {
			out = append(out, m)
		}
	}
	return out
}
