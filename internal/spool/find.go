package spool

import (
	"os"
	"sort"

	"github.com/mapictl/mapictl/internal/mapi"
)

// files says which of a message's four files exist.
type files struct{ oa, oj, fa, fj bool }

func (s *Spool) stat(id string) (files, error) {
	var f files
	for _, x := range []struct {
		p   *bool
		dir string
		ext string
	}{{&f.oa, outboxDir, ".age"}, {&f.oj, outboxDir, ".json"}, {&f.fa, failedDir, ".age"}, {&f.fj, failedDir, ".json"}} {
		_, err := os.Lstat(s.path(x.dir, id, x.ext))
		switch {
		case err == nil:
			*x.p = true
		case !os.IsNotExist(err):
			return f, mapi.Wrap(mapi.DiskError, err, "stat spool file")
		}
	}
	return f, nil
}

// readRecord reads and decodes dir/ID.json; the state follows the directory.
func (s *Spool) readRecord(dir, id string) (*Record, error) {
	if testOnlyRead != nil {
		testOnlyRead("record", id)
	}
	b, err := os.ReadFile(s.path(dir, id, ".json"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, mapi.Errorf(mapi.NotFound, "message %s not found", id)
		}
		return nil, mapi.Wrap(mapi.DiskError, err, "read spool record")
	}
	rec, err := decodeRecord(id, b)
	if err != nil {
		return nil, err
	}
	rec.State = StateQueued
	if dir == failedDir {
		rec.State = StateFailed
	}
	return rec, nil
}

// find returns the logical place of message id (outboxDir or failedDir) and
// its record, without changing anything, by the rules of the package doc.
func (s *Spool) find(id string) (string, *Record, error) {
	f, err := s.stat(id)
	if err != nil {
		return "", nil, err
	}
	o, fl := f.oa && f.oj, f.fa && f.fj
	switch {
	case o && fl:
		ro, err := s.readRecord(outboxDir, id)
		if err != nil {
			return "", nil, err
		}
		rf, err := s.readRecord(failedDir, id)
		if err != nil {
			return "", nil, err
		}
		if ro.Rev > rf.Rev {
			return outboxDir, ro, nil
		}
		return failedDir, rf, nil
	case o:
		r, err := s.readRecord(outboxDir, id)
		return outboxDir, r, err
	case fl:
		r, err := s.readRecord(failedDir, id)
		return failedDir, r, err
	case f.oa || f.fa:
		return "", nil, mapi.Errorf(mapi.CorruptData, "spool record %s is missing", id).
			WithHint("run \"mapictl spool flush\" to rebuild it from the message")
	}
	return "", nil, mapi.Errorf(mapi.NotFound, "message %s not found", id)
}

// ids returns the sorted IDs of the messages with any file in dir (of the
// spool: rejected/ is read this way).
func (s *Spool) ids(dir string) ([]string, error) {
	names, err := s.readNames(dir)
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read spool directory")
	}
	ix := &index{m: map[string]*entry{}}
	for _, n := range names {
		ix.add(dir, n)
	}
	out := make([]string, 0, len(ix.m))
	for id := range ix.m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// List returns the records of queued and failed messages, sorted by Created
// (then ID). It reads each spool directory once and each record once (see
// scan.go), after a cheap recovery pass without an opener over the
// messages that need one. A record that cannot be read is skipped and
// passed to Warn. Errors: DiskError when a spool directory cannot be read.
func (s *Spool) List() ([]Record, error) {
	_, recs, err := s.list()
	return recs, err
}

// list is List, with the scan it read the spool from.
func (s *Spool) list() (*index, []Record, error) {
	ix, probs := s.recoverAll(nil)
	for _, e := range probs {
		s.warn(e.id, e.err)
	}
	if ix == nil {
		return nil, nil, probs[0].err
	}
	if rej, err := s.Rejected(); err == nil {
		for _, id := range rej {
			s.warn(id, mapi.Errorf(mapi.NoAccess, "set aside in spool/rejected: not queued by this store, never sent"))
		}
	}
	out := make([]Record, 0, len(ix.ids))
	for _, id := range ix.ids {
		rec, err := s.record(ix, id)
		if err != nil {
			if !mapi.IsCode(err, mapi.NotFound) {
				s.warn(id, err)
			}
			continue
		}
		out = append(out, *rec)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return ix, out, nil
}
