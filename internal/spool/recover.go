package spool

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/mapi"
)

// problem is one message Recover had to leave as it was.
type problem struct {
	id  string
	err error
}

// Recover repairs what a crash may have left, message by message, skipping
// messages another process holds: temp files are removed, unfinished moves
// and removals are completed or undone (see the package doc), and an .age
// without any record gets its record rebuilt from the payload when open can
// open it (with a nil open it is left for a later pass). It never
// overwrites a corrupt file. Messages it had to leave are passed to Warn
// and returned, joined, as *mapi.Error values.
func (s *Spool) Recover(open Opener) error {
	_, probs := s.recoverAll(open)
	var errs []error
	for _, p := range probs {
		s.warn(p.id, p.err)
		errs = append(errs, p.err)
	}
	return errors.Join(errs...)
}

// recoverAll scans the spool once and repairs the messages that need it:
// those that are not exactly one complete pair without temp files (see
// entry.clean). A clean message is not claimed, so a run over the whole
// spool never contends with the delivery of one that is whole. It returns
// the scan (the caller reads the clean messages from it) and the messages
// it had to leave.
func (s *Spool) recoverAll(open Opener) (*index, []problem) {
	ix, err := s.scan()
	if err != nil {
		return nil, []problem{{"", err}}
	}
	var out []problem
	for _, id := range ix.ids {
		e := ix.m[id]
		if e.clean() {
			continue
		}
		c, err := s.claim(id)
		if errors.Is(err, errBusy) {
			continue
		} else if err != nil {
			out = append(out, problem{id, err})
			continue
		}
		gone, err := s.recoverOne(id, open, e.temps)
		c.release(gone)
		if err != nil {
			out = append(out, problem{id, err})
		}
	}
	return ix, out
}

// recoverOne repairs message id; the caller holds its claim. temps are its
// temp files as a scan found them (relative to Spool.Dir; with the claim
// held, none is being written). gone reports that nothing of the message
// is left in the outbox (so its lock can go).
func (s *Spool) recoverOne(id string, open Opener, temps []string) (gone bool, err error) {
	for _, t := range temps {
		os.Remove(filepath.Join(s.Dir, t))
	}
	f, err := s.stat(id)
	if err != nil {
		return false, err
	}
	// A record without its payload is the tail of a removal.
	for _, x := range []struct {
		json, age bool
		dir       string
	}{{f.oj, f.oa, outboxDir}, {f.fj, f.fa, failedDir}} {
		if x.json && !x.age {
			if err := removeFile(s.path(x.dir, id, ".json")); err != nil {
				return false, mapi.Wrap(mapi.DiskError, err, "remove spool record")
			}
		}
	}
	f.oj, f.fj = f.oj && f.oa, f.fj && f.fa
	o, fl := f.oa && f.oj, f.fa && f.fj
	switch {
	case o && fl:
		dir, _, err := s.find(id)
		if err != nil {
			return false, err // a corrupt record: leave both
		}
		loser := outboxDir
		if dir == outboxDir {
			loser = failedDir
		}
		return false, s.removePair(loser, id)
	case o && f.fa:
		return false, s.removeAge(failedDir, id)
	case fl && f.oa:
		return false, s.removeAge(outboxDir, id)
	case o:
		return false, nil
	case fl:
		return true, nil // in failed/: its outbox lock can go
	case f.oa && f.fa:
		return false, mapi.Errorf(mapi.CorruptData, "spool message %s has payloads in outbox and failed but no record", id)
	case f.oa:
		return false, s.rebuild(outboxDir, id, open)
	case f.fa:
		// A crash inside the write of a message split off into failed/
		// (settlePartial): in failed/, its outbox lock can go.
		return true, s.rebuild(failedDir, id, open)
	}
	return true, nil
}

// removeAge removes dir/ID.age, the start of a move that did not finish.
func (s *Spool) removeAge(dir, id string) error {
	if err := removeFile(s.path(dir, id, ".age")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "remove spool payload")
	}
	return nil
}

// rebuild writes dir/ID.json from the record copy inside dir/ID.age. With a
// nil open it does nothing (find reports the missing record).
func (s *Spool) rebuild(dir, id string, open Opener) error {
	if open == nil {
		return nil
	}
	p, _, err := s.loadPayload(dir, id, open)
	if err != nil {
		return err
	}
	rec := p.Record
	rec.State = StateQueued
	if dir == failedDir {
		rec.State = StateFailed
	}
	if rec.ID != id || rec.check() != nil {
		return mapi.Errorf(mapi.CorruptData, "corrupt spool payload %s: record copy does not match", id)
	}
	return s.writeRecord(dir, &rec)
}

// readFile reads a spool file; errors are NotFound or DiskError.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, mapi.Errorf(mapi.NotFound, "spool file %q not found", filepath.Base(path))
		}
		return nil, mapi.Wrap(mapi.DiskError, err, "read spool file")
	}
	return b, nil
}
