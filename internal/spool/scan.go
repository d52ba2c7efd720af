package spool

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
)

// A run over the whole spool (List, Flush, Recover, Reseal, DropEach)
// reads each spool directory once, into an index, and then touches each
// message by name: no per-message directory scan, so its cost grows
// linearly with the queue (issue 29: a scan per message made `spool list`
// of 1,600 messages take 5 s). The index is a snapshot: a message queued
// after it is left for the next run, and one that moves or goes meanwhile
// is found again by name ([Spool.find]) under its claim.

// testOnlyRead, when set by a test, is called for every directory the
// spool reads ("dir", its name) and every record ("record", its ID): what
// a run reads, counted without a timer.
var testOnlyRead func(kind, name string)

// readNames returns the names in directory dir of the spool (unsorted).
// Every directory read of the package goes through it.
func (s *Spool) readNames(dir string) ([]string, error) {
	p := filepath.Join(s.Dir, dir)
	if testOnlyRead != nil {
		testOnlyRead("dir", dir)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// entry is what one scan saw of a message: which of its four files, its
// lock and its temp files (names relative to Spool.Dir).
type entry struct {
	files
	lock  bool
	temps []string
}

// clean reports that the message is exactly one complete pair, with no temp
// file (and, in failed/, no lock left in the outbox): nothing for recovery
// to do, so no claim is needed to read it.
func (e *entry) clean() bool {
	o, fl := e.oa && e.oj, e.fa && e.fj
	return len(e.temps) == 0 && (o && !e.fa && !e.fj || fl && !e.oa && !e.oj && !e.lock)
}

// place is the directory of a clean entry's pair.
func (e *entry) place() string {
	if e.oa {
		return outboxDir
	}
	return failedDir
}

// index is one scan of outbox/ and failed/: every message with a file
// there, and its IDs sorted.
type index struct {
	m   map[string]*entry
	ids []string
}

// scan reads outbox/ and failed/ once each. Names that are not a message's
// (no valid ID) are ignored. Errors: DiskError when a directory cannot be
// read.
func (s *Spool) scan() (*index, error) {
	ix := &index{m: map[string]*entry{}}
	for _, dir := range []string{outboxDir, failedDir} {
		names, err := s.readNames(dir)
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "read spool directory")
		}
		for _, n := range names {
			ix.add(dir, n)
		}
	}
	ix.ids = make([]string, 0, len(ix.m))
	for id := range ix.m {
		ix.ids = append(ix.ids, id)
	}
	sort.Strings(ix.ids)
	return ix, nil
}

// add records file name of directory dir.
func (ix *index) add(dir, name string) {
	id, ext := name, ""
	temp := tempID(name)
	if temp != "" {
		id = temp
	} else if i := strings.IndexByte(name, '.'); i > 0 {
		id, ext = name[:i], name[i:]
	}
	if !mapi.ValidID(id) {
		return
	}
	e := ix.m[id]
	if e == nil {
		e = &entry{}
		ix.m[id] = e
	}
	out := dir == outboxDir
	switch {
	case temp != "":
		e.temps = append(e.temps, filepath.Join(dir, name))
	case ext == ".age" && out:
		e.oa = true
	case ext == ".json" && out:
		e.oj = true
	case ext == ".age":
		e.fa = true
	case ext == ".json":
		e.fj = true
	case ext == ".lock" && out:
		e.lock = true
	}
}

// outboxIDs are the sorted IDs with a payload or record in the outbox.
func (ix *index) outboxIDs() []string {
	var out []string
	for _, id := range ix.ids {
		if e := ix.m[id]; e.oa || e.oj {
			out = append(out, id)
		}
	}
	return out
}

// record returns the record of message id as the scan saw it: read once
// from its place when the entry is clean, else found by name (its files
// may have changed under recovery). A clean pair that moved since the scan
// is found by name too.
func (s *Spool) record(ix *index, id string) (*Record, error) {
	if e := ix.m[id]; e != nil && e.clean() {
		rec, err := s.readRecord(e.place(), id)
		if !mapi.IsCode(err, mapi.NotFound) {
			return rec, err
		}
	}
	_, rec, err := s.find(id)
	return rec, err
}
