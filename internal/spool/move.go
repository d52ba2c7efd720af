package spool

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/mapi"
)

// move puts message rec.ID from src into dst: dst/ID.age (p sealed with
// seal, or ct as is when seal is nil), dst/ID.json with rec (whose Rev the
// caller raised), then removes src/ID.age and src/ID.json. The caller holds
// the claim.
func (s *Spool) move(src, dst string, seal Sealer, p *Payload, ct []byte, rec *Record) error {
	if err := s.writePair(dst, seal, p, ct, rec, "after-move-age"); err != nil {
		return err
	}
	crashPoint("after-move-json")
	return s.removePair(src, rec.ID)
}

// removePair removes dir/ID.age and then dir/ID.json (a lone .json is
// garbage to Recover; a lone .age is not).
func (s *Spool) removePair(dir, id string) error {
	if err := removeFile(s.path(dir, id, ".age")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "remove spool payload")
	}
	crashPoint("after-remove-age")
	if err := removeFile(s.path(dir, id, ".json")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "remove spool record")
	}
	if err := syncDir(s.path(dir, "", "")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "sync spool directory")
	}
	return nil
}

// Drop removes message id wherever it is (outbox, failed or rejected, any
// partial pair, its temp files and lock). Errors: InvalidParameter (malformed ID,
// before any file is touched), NotFound when no file of it exists, Busy when
// it is being delivered, DiskError.
func (s *Spool) Drop(id string) error {
	if err := mapi.CheckID("message", id); err != nil {
		return err
	}
	ix, err := s.scan()
	if err != nil {
		return err
	}
	return s.drop(id, ix.m[id])
}

// DropEach drops each of ids as [Spool.Drop] does, reading the spool's
// directories once for all of them; it returns the IDs dropped and the
// failures, in the order of ids (see [Batch]).
func (s *Spool) DropEach(ids []string) (done []string, fails []IDFailure) {
	ix, err := s.scan()
	return Batch(ids, func(id string) error {
		if err != nil {
			return err
		}
		return s.drop(id, ix.m[id])
	})
}

// drop is Drop of message id, e what a scan saw of it (nil: nothing).
func (s *Spool) drop(id string, e *entry) error {
	c, err := s.claimChecked(id)
	if err != nil {
		return err
	}
	f, err := s.stat(id)
	if err != nil {
		c.release(false)
		return err
	}
	rejected := s.isRejected(id)
	if !f.oa && !f.oj && !f.fa && !f.fj && !rejected {
		c.release(true)
		return mapi.Errorf(mapi.NotFound, "message %s not found", id)
	}
	if rejected {
		if err := s.removePair(rejectedDir, id); err != nil {
			c.release(false)
			return err
		}
	}
	for _, d := range []struct {
		dir string
		has bool
	}{{outboxDir, f.oa || f.oj}, {failedDir, f.fa || f.fj}} {
		if !d.has {
			continue
		}
		if err := s.removePair(d.dir, id); err != nil {
			c.release(false)
			return err
		}
	}
	if e != nil {
		for _, t := range e.temps {
			os.Remove(filepath.Join(s.Dir, t))
		}
	}
	c.release(true)
	return nil
}

// Retry moves failed message id back to the outbox: attempts reset, error
// kind cleared, due now. The sealed payload is moved as is (its reason and
// report stay inside until the next failure replaces them). It never
// touches the authentication code: a message that does not verify is still
// set aside by the next flush, and one already set aside (rejected/) is
// refused. Errors: InvalidParameter (malformed ID, a message that is not
// failed, or one set aside),
// NotFound, CorruptData, Busy, DiskError.
func (s *Spool) Retry(id string) error {
	c, err := s.claimChecked(id)
	if err != nil {
		return err
	}
	defer c.release(false)
	dir, rec, err := s.find(id)
	if mapi.IsCode(err, mapi.NotFound) && s.isRejected(id) {
		return rejectedErr(id)
	}
	if err != nil {
		return err
	}
	if dir != failedDir {
		return mapi.Errorf(mapi.InvalidParameter, "message %s is queued, not failed", id)
	}
	ct, err := readFile(s.path(failedDir, id, ".age"))
	if err != nil {
		return err
	}
	now := s.now()
	rec.State, rec.Attempts, rec.ErrorKind, rec.NextAttempt = StateQueued, 0, "", now
	rec.Rev++
	return s.move(failedDir, outboxDir, nil, nil, ct, rec)
}

// claimChecked checks id (before any file is touched) and claims it for a
// user's operation: Busy when a delivery holds it.
func (s *Spool) claimChecked(id string) (*claim, error) {
	if err := mapi.CheckID("message", id); err != nil {
		return nil, err
	}
	c, err := s.claim(id)
	if errors.Is(err, errBusy) {
		return nil, busyErr(id)
	}
	return c, err
}
