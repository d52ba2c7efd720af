package inbound

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// The journal is JSON lines, one record a line, appended with one write
// each (O_APPEND) during a run and rewritten atomically, compacted, at its
// end. It holds IDs (UIDs, UIDLs), names (digests) and SHA-256 content
// digests: no address, host, subject or secret. Records ("t"):
//
//	{"t":"h","ver":1}                      header, first line
//	{"t":"v","v":"V"}                      UIDVALIDITY V; when it differs from the
//	                                       last one, delivered entries move to the
//	                                       stale pool and other entries are dropped
//	{"t":"i","id":ID,"n":NAME,"d":DIGEST}  intent: tmp/NAME written and fsync'd
//	{"t":"d","id":ID,"d":DIGEST}           delivered
//	{"t":"a","id":ID,"old":OLD,"d":DIGEST} delivered under ID as the same content
//	                                       as orphan OLD, or ("old" absent) as one
//	                                       stale entry of that digest
//	{"t":"r","id":ID,"d":DIGEST}           rejected by the MDA
//	{"t":"g","id":ID}                      forgotten: deleted, confirmed by the server;
//	                                       or a rejection the MDA since deferred (75)
//	{"t":"s","d":DIGEST}                   one stale entry (compacted form)
//
// A last line with no newline is a record torn by a crash: it is cut off
// when the journal is opened, as if never written.
type record struct {
	T   string `json:"t"`
	Ver int    `json:"ver,omitempty"`
	V   string `json:"v,omitempty"`
	ID  string `json:"id,omitempty"`
	Old string `json:"old,omitempty"`
	N   string `json:"n,omitempty"`
	D   string `json:"d,omitempty"`
	// M is an intent's Maildir (its root): recovery finishes the rename
	// there, wherever inbound.maildir points by then.
	M string `json:"m,omitempty"`
}

const journalVersion = 1

// Entry states.
const (
	stIntent byte = iota + 1
	stDone
	stRejected
)

type entry struct {
	state  byte
	name   string // intent only
	digest string
	dir    string // intent only: the Maildir it was written into ("" in old journals)
}

// journal is the replayed state of one journal file and its append handle
// (nil for a dry run).
type journal struct {
	path     string
	f        *os.File
	validity string
	entries  map[string]*entry
	stale    map[string]int // content digest -> count
}

// journalName returns the journal's base name for a: a digest over the
// profile uid, section uid, host, user and mailbox.
func journalName(a Account) string {
	return digestFields("mapictl inbound journal", a.ProfileUID, a.SectionUID, a.Host, a.User, a.Mailbox)
}

// messageName is a message's Maildir name and MAPI_MSGREF: a digest of the
// account, the validity and the ID, "<hex>.mapictl" (no ':' or '/').
func messageName(a Account, validity, id string) string {
	return digestFields("mapictl inbound message", a.ProfileUID, a.SectionUID, a.Host, a.User,
		a.Mailbox, validity, id)[:40] + ".mapictl"
}

// digestFields is the hex SHA-256 of the length-prefixed fields.
func digestFields(fields ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, f := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func newJournal(path string) *journal {
	return &journal{path: path, entries: map[string]*entry{}, stale: map[string]int{}}
}

// readJournal replays path into a journal with no append handle; a
// missing file is an empty journal.
func readJournal(path string) (*journal, error) {
	j := newJournal(path)
	data, err := fsutil.ReadRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read the inbound journal")
	}
	if _, err := j.replay(data); err != nil {
		return nil, err
	}
	return j, nil
}

// openJournal replays path (creating it, 0600, if missing), cuts off a torn
// last record and opens it for appending.
func openJournal(path string) (*journal, error) {
	j := newJournal(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, fsutil.FileMode)
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "open the inbound journal")
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, mapi.Errorf(mapi.DiskError, "the inbound journal %s is not a regular file", path)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		f.Close()
		return nil, mapi.Wrap(mapi.DiskError, err, "read the inbound journal")
	}
	good, err := j.replay(buf.Bytes())
	if err != nil {
		f.Close()
		return nil, err
	}
	if good != int64(buf.Len()) {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, mapi.Wrap(mapi.DiskError, err, "repair the inbound journal")
		}
	}
	j.f = f
	if good == 0 {
		if err := j.append(record{T: "h", Ver: journalVersion}, true); err != nil {
			f.Close()
			return nil, err
		}
	}
	return j, nil
}

// replay applies data's complete lines and returns their length.
func (j *journal) replay(data []byte) (int64, error) {
	var off int64
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break // torn by a crash
		}
		var r record
		if err := json.Unmarshal(data[:i], &r); err != nil {
			return 0, mapi.Errorf(mapi.CorruptData, "inbound journal %s: bad record at byte %d", filepath.Base(j.path), off)
		}
		if r.T == "h" && r.Ver != journalVersion {
			return 0, mapi.Errorf(mapi.CorruptData, "inbound journal %s: version %d not supported", filepath.Base(j.path), r.Ver)
		}
		j.apply(r)
		off += int64(i) + 1
		data = data[i+1:]
	}
	return off, nil
}

// apply changes the state as record r says.
func (j *journal) apply(r record) {
	switch r.T {
	case "v":
		if j.validity != "" && r.V != j.validity {
			for id, e := range j.entries {
				if e.state == stDone {
					j.stale[e.digest]++
				}
				delete(j.entries, id)
			}
		}
		j.validity = r.V
	case "i":
		j.entries[r.ID] = &entry{state: stIntent, name: r.N, digest: r.D, dir: r.M}
	case "d":
		j.entries[r.ID] = &entry{state: stDone, digest: r.D}
	case "a":
		if r.Old != "" {
			delete(j.entries, r.Old)
		} else if j.stale[r.D]--; j.stale[r.D] <= 0 {
			delete(j.stale, r.D)
		}
		j.entries[r.ID] = &entry{state: stDone, digest: r.D}
	case "r":
		j.entries[r.ID] = &entry{state: stRejected, digest: r.D}
	case "g":
		delete(j.entries, r.ID)
	case "s":
		j.stale[r.D]++
	}
}

// append applies r and writes it, with sync an fsync after.
func (j *journal) append(r record, sync bool) error {
	line, err := json.Marshal(r)
	if err != nil {
		return mapi.Wrap(mapi.CallFailed, err, "encode a journal record")
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write the inbound journal")
	}
	if sync {
		if err := j.f.Sync(); err != nil {
			return mapi.Wrap(mapi.DiskError, err, "sync the inbound journal")
		}
	}
	j.apply(r)
	return nil
}

// appendAll writes recs with one write (and, with sync, one fsync) and
// then applies them. On an error none is applied (though some may be on
// disk: the caller must treat them as possibly written).
func (j *journal) appendAll(recs []record, sync bool) error {
	var buf []byte
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return mapi.Wrap(mapi.CallFailed, err, "encode a journal record")
		}
		buf = append(append(buf, line...), '\n')
	}
	if _, err := j.f.Write(buf); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write the inbound journal")
	}
	if sync {
		if err := j.sync(); err != nil {
			return err
		}
	}
	for _, r := range recs {
		j.apply(r)
	}
	return nil
}

// sync fsyncs the appended records.
func (j *journal) sync() error {
	if err := j.f.Sync(); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "sync the inbound journal")
	}
	return nil
}

// compact replaces the file with the current state (sorted by ID, so the
// same state gives the same bytes): a temporary file written, fsync'd and
// renamed over it, the directory fsync'd. The append handle is closed.
func (j *journal) compact() (err error) {
	dir := filepath.Dir(j.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(j.path)+".tmp-*")
	if err != nil {
		return mapi.Wrap(mapi.DiskError, err, "compact the inbound journal")
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = mapi.Wrap(mapi.DiskError, err, "compact the inbound journal")
		}
	}()
	if err = f.Chmod(fsutil.FileMode); err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	enc := json.NewEncoder(w)
	put := func(r record) {
		if err == nil {
			err = enc.Encode(r)
		}
	}
	put(record{T: "h", Ver: journalVersion})
	if j.validity != "" {
		put(record{T: "v", V: j.validity})
	}
	ids := make([]string, 0, len(j.entries))
	for id := range j.entries {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		e := j.entries[id]
		switch e.state {
		case stIntent:
			put(record{T: "i", ID: id, N: e.name, D: e.digest, M: e.dir})
		case stDone:
			put(record{T: "d", ID: id, D: e.digest})
		case stRejected:
			put(record{T: "r", ID: id, D: e.digest})
		}
	}
	digests := make([]string, 0, len(j.stale))
	for d := range j.stale {
		digests = append(digests, d)
	}
	slices.Sort(digests)
	for _, d := range digests {
		for range j.stale[d] {
			put(record{T: "s", D: d})
		}
	}
	if err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, j.path); err != nil {
		return err
	}
	j.close()
	return fsutil.SyncDir(dir)
}

// close closes the append handle.
func (j *journal) close() {
	if j.f != nil {
		j.f.Close()
		j.f = nil
	}
}
