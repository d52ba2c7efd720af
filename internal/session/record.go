package session

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// Dir is the sessions directory of a store: <store>/sessions.
func Dir(storeRoot string) string { return filepath.Join(storeRoot, "sessions") }

// Meta is sessions/ID.json: what `session list` shows, never a secret.
// SectionUIDs and Exclusive (the uids of multi-session=false sections) let
// a new logon refuse a second live session without opening any .age file.
type Meta struct {
	ID          string    `json:"id"`
	Profile     string    `json:"profile"`
	Sections    []string  `json:"sections"`
	SectionUIDs []string  `json:"section_uids"`
	Exclusive   []string  `json:"exclusive_uids,omitempty"`
	Addresses   []string  `json:"addresses"`
	Created     time.Time `json:"created"`
	Expires     time.Time `json:"expires"`
	// Recipient is the session key's age recipient: the OAuth 2.0 token
	// files of the store are sealed to it while the session lives (SPEC
	// §8), so that processes holding only the session's token open them.
	// "" in a session created before it was kept.
	Recipient string `json:"recipient,omitempty"`
	// ProfileUID is the uid of the session's profile: with SectionUIDs it
	// names the token files sealed to Recipient (a copied profile keeps
	// its sections' uids under a new profile uid). "" in a session created
	// before it was kept: such a session is sealed into no token file.
	ProfileUID string `json:"profile_uid,omitempty"`
}

// MetaOf is the metadata of snapshot s.
func MetaOf(s *Snapshot) Meta {
	m := Meta{ID: s.ID, Profile: s.Profile, ProfileUID: s.ProfileUID, Created: s.Created, Expires: s.Expires,
		Sections: []string{}, SectionUIDs: []string{}, Addresses: []string{}}
	for _, sec := range s.Sections {
		m.Sections = append(m.Sections, sec.Settings.Section)
		m.SectionUIDs = append(m.SectionUIDs, sec.Settings.SectionUID)
		m.Addresses = append(m.Addresses, sec.Address)
		if !sec.Settings.MultiSession {
			m.Exclusive = append(m.Exclusive, sec.Settings.SectionUID)
		}
	}
	return m
}

func paths(storeRoot, id string) (meta, sealed string) {
	d := Dir(storeRoot)
	return filepath.Join(d, id+".json"), filepath.Join(d, id+".age")
}

// lockTimeout is the longest wait for the sessions directory's lock: its
// holders (Create, Sweep) hold it for a directory scan and a few small
// writes, never across a network request. A variable for tests.
var lockTimeout = 10 * time.Second

// lockRetry is how often a wait for the lock tries again.
const lockRetry = 20 * time.Millisecond

// lock takes the sessions directory's lock (sessions/.lock) so that the
// multi-session check and the write of a new session are one step, waiting
// up to [lockTimeout]. Errors: MAPI_E_DISK_ERROR when the lock cannot be
// created or taken (a read-only directory), MAPI_E_BUSY when another
// process held it throughout.
func lock(storeRoot string) (func(), error) {
	if err := fsutil.MkdirPrivate(Dir(storeRoot)); err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "create the sessions directory")
	}
	fl := flock.New(filepath.Join(Dir(storeRoot), ".lock"), flock.SetPermissions(fsutil.FileMode))
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, lockRetry)
	switch {
	case ok:
		return func() { _ = fl.Unlock() }, nil
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, mapi.Errorf(mapi.Busy, "another process held the sessions directory's lock for %s", lockTimeout).
			WithHint("try again in a moment")
	}
	return nil, mapi.Wrap(mapi.DiskError, err, "lock the sessions directory")
}

// Create writes a new session for snap: a fresh ID (unless snap.ID is set)
// and token key (post-quantum hybrid with pq, else X25519), the key's
// recipient appended to snap.SpoolRecipients, snap.Key set, sessions/ID.json
// (metadata) and sessions/ID.age (snap sealed to the key). snap.Created
// and snap.Expires must be set. It returns the token "ID.AGE-SECRET-KEY-…".
// Errors: MAPI_E_BUSY when a section of snap has multi-session=false and a
// live session holds it (or the reverse); MAPI_E_INVALID_PARAMETER for a
// malformed ID or an expiry not after creation; MAPI_E_DISK_ERROR.
func Create(storeRoot string, snap *Snapshot, pq bool) (string, error) {
	if snap.ID == "" {
		snap.ID = mapi.NewID(snap.Created)
	}
	if err := mapi.CheckID("session", snap.ID); err != nil {
		return "", err
	}
	if !snap.Expires.After(snap.Created) {
		return "", mapi.Errorf(mapi.InvalidParameter, "session would expire before it starts").WithHint("give a positive --ttl")
	}
	unlock, err := lock(storeRoot)
	if err != nil {
		return "", err
	}
	defer unlock()
	// Expired sessions are passed over, not removed: that is Sweep's, whose
	// caller learns of them (SPEC §8: their token files are re-sealed).
	live, _, err := scan(storeRoot, snap.Created, false)
	if err != nil {
		return "", err
	}
	if err := checkBusy(MetaOf(snap), live); err != nil {
		return "", err
	}
	k, err := secure.GenerateKey(pq)
	if err != nil {
		return "", err
	}
	if snap.Key, err = secure.IdentityFromKey(k.Identity); err != nil {
		return "", mapi.Wrap(mapi.CallFailed, err, "generate the session key")
	}
	if !slices.Contains(snap.SpoolRecipients, k.Recipient) {
		snap.SpoolRecipients = append(snap.SpoolRecipients, k.Recipient)
	}
	plain, err := json.Marshal(snap)
	if err != nil {
		return "", mapi.Wrap(mapi.CallFailed, err, "encode the session")
	}
	ct, err := secure.Encrypt(plain, []string{k.Recipient})
	if err != nil {
		return "", err
	}
	meta := MetaOf(snap)
	meta.Recipient = k.Recipient
	metaJSON, _ := json.MarshalIndent(meta, "", "  ")
	metaPath, sealedPath := paths(storeRoot, snap.ID)
	if err := fsutil.WriteFileAtomic(sealedPath, ct); err != nil {
		return "", mapi.Wrap(mapi.DiskError, err, "write the session")
	}
	if err := fsutil.WriteFileAtomic(metaPath, append(metaJSON, '\n')); err != nil {
		os.Remove(sealedPath)
		return "", mapi.Wrap(mapi.DiskError, err, "write the session")
	}
	return snap.ID + "." + k.Identity, nil
}

// CheckFree reports whether a section (uid, named name; exclusive when its
// multi-session is false) may join a new session at now: MAPI_E_BUSY, as
// [Create] would refuse it, when a live session holds it and either takes
// it exclusively. Logon asks it before the network, so that such a section
// is left out like any other that cannot log on; Create checks again under
// the lock. Errors: those of reading the sessions directory.
func CheckFree(storeRoot string, now time.Time, name, uid string, exclusive bool) error {
	live, _, err := scan(storeRoot, now, false)
	if err != nil {
		return err
	}
	m := Meta{Sections: []string{name}, SectionUIDs: []string{uid}}
	if exclusive {
		m.Exclusive = []string{uid}
	}
	return checkBusy(m, live)
}

// checkBusy refuses m when one of its sections is exclusive in a live
// session, or one of the live sessions holds a section m takes exclusively.
func checkBusy(m Meta, live []Meta) error {
	for _, o := range live {
		for i, uid := range m.SectionUIDs {
			if slices.Contains(o.SectionUIDs, uid) && (slices.Contains(o.Exclusive, uid) || slices.Contains(m.Exclusive, uid)) {
				return mapi.Errorf(mapi.Busy, "section %q allows one session at a time and session %s holds it", m.Sections[i], o.ID).
					WithHint("log it off with 'mapictl session logoff " + o.ID + "', or wait until it expires at " + o.Expires.UTC().Format(time.RFC3339))
			}
		}
	}
	return nil
}

// Open returns the snapshot of the live session that token selects, with
// Key set. The ID is checked before any file is touched. Errors are all
// MAPI_E_LOGON_FAILED with a hint: a malformed token, an unknown or
// logged-off ID, a file that does not decrypt with the token's key (a forged
// or mismatched token) or does not parse, and an expired session (whose
// sealed file, which holds its credentials, is then removed; its metadata
// is left for the next [Sweep] to report and remove). The message never
// holds the token.
func Open(storeRoot, token string, now time.Time) (*Snapshot, error) {
	id, key, err := ParseToken(token)
	if err != nil {
		return nil, err
	}
	_, sealedPath := paths(storeRoot, id)
	ct, err := fsutil.ReadRegular(sealedPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, logonFailed("session %s does not exist: it was logged off or has expired", id)
	}
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read session "+id)
	}
	plain, err := secure.Decrypt(ct, []age.Identity{key})
	if err != nil {
		return nil, logonFailed("the session token does not open session %s", id)
	}
	var s Snapshot
	if err := json.Unmarshal(plain, &s); err != nil || s.ID != id {
		return nil, logonFailed("session %s is corrupt", id)
	}
	if !now.Before(s.Expires) {
		removeFiles(sealedPath)
		return nil, logonFailed("session %s expired at %s", id, s.Expires.UTC().Format(time.RFC3339))
	}
	s.Key = key
	return &s, nil
}

func removeFiles(names ...string) {
	for _, n := range names {
		_ = os.Remove(n)
	}
	if len(names) > 0 {
		_ = fsutil.SyncDir(filepath.Dir(names[0]))
	}
}

// List returns the metadata of the live sessions, oldest first. It only
// reads (no lock, works in a read-only directory): expired sessions are not
// listed and their files stay for [Sweep], whose caller learns of them and
// re-seals their token files (SPEC §8). A missing directory is no session.
// Errors: MAPI_E_DISK_ERROR when the directory cannot be read.
func List(storeRoot string, now time.Time) ([]Meta, error) {
	live, _, err := scan(storeRoot, now, false)
	return live, err
}

// Sweep is the clean-up of the sessions directory (SPEC §8): it returns
// the metadata of the live sessions, oldest first, and of the expired
// sessions whose files it removed (an expired session whose sealed file
// [Open] already removed included), so that the caller re-seals the OAuth
// 2.0 token files their keys (Meta.Recipient) were sealed into: the
// sections Meta.SectionUIDs of profile Meta.ProfileUID. Orphan halves left
// by a crash (an .age without its .json, a live .json without its .age)
// are removed silently; a .json that cannot be read is left alone and
// never listed. A missing directory is no session. Errors:
// MAPI_E_DISK_ERROR when the directory cannot be read or locked.
func Sweep(storeRoot string, now time.Time) (live, expired []Meta, err error) {
	if _, err := os.Stat(Dir(storeRoot)); errors.Is(err, fs.ErrNotExist) {
		return []Meta{}, nil, nil
	}
	unlock, err := lock(storeRoot) // a Create in progress is not an orphan
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	return scan(storeRoot, now, true)
}

// scan reads the sessions directory: the live sessions, oldest first, and
// the expired ones. With sweep, it removes the expired sessions' files and
// orphan halves (call it holding the lock); without, it only reads (no
// lock needed: a Create in progress only shows as no session yet).
func scan(storeRoot string, now time.Time, sweep bool) (live, expired []Meta, err error) {
	dir := Dir(storeRoot)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []Meta{}, nil, nil
	}
	if err != nil {
		return nil, nil, mapi.Wrap(mapi.DiskError, err, "read the sessions directory")
	}
	remove := func(names ...string) {
		if sweep {
			removeFiles(names...)
		}
	}
	live = []Meta{}
	for _, e := range ents {
		id, ext, _ := strings.Cut(e.Name(), ".")
		if !mapi.ValidID(id) || (ext != "json" && ext != "age") {
			continue
		}
		metaPath, sealedPath := paths(storeRoot, id)
		if ext == "age" {
			if _, err := os.Lstat(metaPath); errors.Is(err, fs.ErrNotExist) {
				remove(sealedPath)
			}
			continue
		}
		var m Meta
		b, err := fsutil.ReadRegular(metaPath)
		if err != nil || json.Unmarshal(b, &m) != nil || m.ID != id {
			continue // unreadable: left alone, never listed
		}
		if !now.Before(m.Expires) {
			remove(metaPath, sealedPath)
			expired = append(expired, m)
			continue
		}
		if _, err := os.Lstat(sealedPath); errors.Is(err, fs.ErrNotExist) {
			remove(metaPath)
			continue
		}
		live = append(live, m)
	}
	byID := func(ms []Meta) { sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID }) }
	byID(live)
	byID(expired)
	return live, expired, nil
}

// Lookup returns the metadata of live session id (as List, it removes
// nothing). Errors: MAPI_E_NOT_FOUND when there is no such live
// session, MAPI_E_CORRUPT_DATA when its metadata file is there but cannot be
// read (the session may still be logged off), MAPI_E_DISK_ERROR.
func Lookup(storeRoot, id string, now time.Time) (*Meta, error) {
	ms, expired, err := scan(storeRoot, now, false)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].ID == id {
			return &ms[i], nil
		}
	}
	if slices.ContainsFunc(expired, func(m Meta) bool { return m.ID == id }) {
		return nil, mapi.Errorf(mapi.NotFound, "session %s has expired", id).
			WithHint("log on again: mapictl session logon")
	}
	if metaPath, _ := paths(storeRoot, id); fileExists(metaPath) {
		return nil, mapi.Errorf(mapi.CorruptData, "session %s is damaged: its metadata cannot be read", id).
			WithHint("log it off: mapictl session logoff " + id)
	}
	return nil, mapi.Errorf(mapi.NotFound, "no live session %s", id).
		WithHint("run 'mapictl session list' to see the live sessions")
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Logoff removes session id's files. The ID is checked before any file is
// touched. Errors: MAPI_E_INVALID_PARAMETER for a malformed ID,
// MAPI_E_NOT_FOUND when there is no such session, MAPI_E_DISK_ERROR.
func Logoff(storeRoot, id string) error {
	if err := mapi.CheckID("session", id); err != nil {
		return err
	}
	metaPath, sealedPath := paths(storeRoot, id)
	found := false
	for _, p := range []string{sealedPath, metaPath} {
		err := os.Remove(p)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, fs.ErrNotExist):
			return mapi.Wrap(mapi.DiskError, err, "remove session "+id)
		}
	}
	if !found {
		return mapi.Errorf(mapi.NotFound, "no session %s", id).WithHint("run 'mapictl session list' to see the live sessions")
	}
	_ = fsutil.SyncDir(Dir(storeRoot))
	return nil
}
