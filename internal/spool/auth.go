package spool

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// Queued messages are authenticated (issue 24, point 3): anyone can seal a
// payload to identity.pub, so a sealed payload proves nothing about who
// queued it. Enqueue puts an HMAC-SHA256, keyed with the spool's own key
// (<spool>/key, 32 random bytes, 0600), into the sealed payload; Flush
// delivers only a payload whose code verifies and whose record (.json)
// names the same ID, profile and section uid as the authenticated copy
// inside. Everything else is set aside in rejected/ and never sent.
//
// The code covers what decides where and what is sent — the ID, profile,
// section uid, the envelope and the message — and nothing that delivery
// updates (attempts, next try, error kind, Rev, the failure details), so a
// state change needs no key and the .json can be rewritten on its own. It
// lives inside the sealed payload, not in the .json, so that every write of
// a payload is self-contained: a crash between the .age and the .json of a
// re-seal never leaves a pair whose code no longer matches.

const (
	keyFile     = "key"      // <spool>/key
	keySize     = 32         // bytes of HMAC key
	rejectedDir = "rejected" // messages that did not verify, never sent
	macDomain   = "mapictl spool payload v1"
)

// StateRejected is the Outcome state of a message that was not queued by
// this store (its authentication code is missing or does not verify): it
// was moved to rejected/ and not sent.
const StateRejected = "rejected"

// errNoKey reports a spool that has no key yet.
var errNoKey = errors.New("no spool key")

// loadKey returns the spool key. With create, a missing key is made: 32
// random bytes written to a temp file and hard-linked to <spool>/key, so
// that of two processes creating it at once both end up with the one that
// was linked first. Without create, a missing key is errNoKey. A key that
// is not a regular file of 32 bytes, private to this user, is refused.
func (s *Spool) loadKey(create bool) ([]byte, error) {
	path := filepath.Join(s.Dir, keyFile)
	k, err := readKey(path)
	if !errors.Is(err, errNoKey) || !create {
		return k, err
	}
	var b [keySize]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "generate the spool key")
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(s.Dir, ".key."+hex.EncodeToString(rnd[:])+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "write the spool key")
	}
	_, err = f.Write(b[:])
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp, path)
		if errors.Is(err, os.ErrExist) {
			err = nil // another process made it first: use theirs
		}
	}
	os.Remove(tmp)
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "write the spool key")
	}
	if err := syncDir(s.Dir); err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "sync spool directory")
	}
	return readKey(path)
}

// readKey reads the key at path (never through a symbolic link, see
// fsutil.OpenNoFollow; the owner and mode checks are those of
// fsutil.ForeignOwner and fsutil.OpenToOthers, which Windows leaves to the
// file's ACL). Errors:
// errNoKey, *mapi.Error NoAccess (not ours, or readable by others),
// CorruptData (not 32 bytes), DiskError.
func readKey(path string) ([]byte, error) {
	f, err := fsutil.OpenNoFollow(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoKey
	}
	if err != nil {
		if errors.Is(err, fsutil.ErrSymlink) {
			return nil, badKey("is a symbolic link")
		}
		return nil, mapi.Wrap(mapi.DiskError, err, "read the spool key")
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read the spool key")
	}
	if !fi.Mode().IsRegular() {
		return nil, badKey("is not a regular file")
	}
	if fsutil.ForeignOwner(fi) {
		return nil, badKey("belongs to another user")
	}
	if fsutil.OpenToOthers(fi) {
		return nil, badKey("is readable or writable by others")
	}
	b := make([]byte, keySize+1)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, mapi.Wrap(mapi.DiskError, err, "read the spool key")
	}
	if n != keySize {
		return nil, mapi.Errorf(mapi.CorruptData, "the spool key (spool/key) is not %d bytes", keySize).
			WithHint("messages queued with it can no longer be verified: remove spool/key and queue them again")
	}
	return b[:keySize], nil
}

func badKey(why string) *mapi.Error {
	return mapi.Errorf(mapi.NoAccess, "the spool key (spool/key) %s; refusing to use it", why).
		WithHint("a key others could read or replace lets them queue mail: remove spool/key " +
			"(messages queued with it are then set aside at the next flush) and queue them again")
}

// payloadMAC is the authentication code of p: HMAC-SHA256 under key over
// the record's ID, profile and section uid, the envelope and the message,
// each length-prefixed.
func payloadMAC(key []byte, p *Payload) []byte {
	h := hmac.New(sha256.New, key)
	put := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	list := func(l []string) {
		putCount(h, len(l))
		for _, s := range l {
			put([]byte(s))
		}
	}
	put([]byte(macDomain))
	put([]byte(p.Record.ID))
	put([]byte(p.Record.Profile))
	put([]byte(p.Record.SectionUID))
	put([]byte(p.From))
	list(p.To)
	list(p.DSNNotify)
	put([]byte(p.DSNReturn))
	put([]byte(p.EnvID))
	put([]byte(p.Body))
	put(p.Message)
	return h.Sum(nil)
}

func putCount(h hash.Hash, n int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

// notQueuedHere is the error of a message that does not verify. Its message
// names the ID and why, never an address.
func notQueuedHere(id, why string) *mapi.Error {
	return mapi.Errorf(mapi.NoAccess, "message %s was not queued by this store (%s): set aside in spool/rejected, not sent", id, why).
		WithHint("if you did queue it (with a mapictl older than the spool key), send it again; "+
			"'spool retry' does not apply to it",
			"look at it with 'age -d -i identity.txt spool/rejected/"+id+".age'; remove it with 'mapictl spool drop "+id+"'")
}

// verify checks that p was sealed by this store's own Enqueue for rec: a
// code that verifies under the spool key, and a record whose ID, profile
// and section uid are those of the authenticated copy. reject reports that
// the message must be set aside; with reject false, err is a problem
// reading the key (the message stays where it is).
func (s *Spool) verify(rec *Record, p *Payload) (reject bool, err error) {
	key, err := s.loadKey(false)
	switch {
	case errors.Is(err, errNoKey):
		if len(p.MAC) == 0 {
			return true, notQueuedHere(rec.ID, "it has no authentication code: queued by an older mapictl, or by someone else")
		}
		return true, notQueuedHere(rec.ID, "this spool has no key to verify it with")
	case err != nil:
		return false, err
	case len(p.MAC) == 0:
		return true, notQueuedHere(rec.ID, "it has no authentication code: queued by an older mapictl, or by someone else")
	case !hmac.Equal(p.MAC, payloadMAC(key, p)):
		return true, notQueuedHere(rec.ID, "its authentication code does not verify")
	case p.Record.ID != rec.ID:
		return true, notQueuedHere(rec.ID, "its payload belongs to another message")
	case p.Record.Profile != rec.Profile || p.Record.SectionUID != rec.SectionUID:
		return true, notQueuedHere(rec.ID, "its record names another profile or transport section than the message")
	}
	return false, nil
}

// setAside moves outbox/ID.age and outbox/ID.json into rejected/ (made
// 0700). The caller holds the claim.
func (s *Spool) setAside(id string) error {
	d := filepath.Join(s.Dir, rejectedDir)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "create spool/rejected")
	}
	if err := os.Chmod(d, 0o700); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "chmod spool/rejected")
	}
	for _, ext := range []string{".age", ".json"} {
		if err := os.Rename(s.path(outboxDir, id, ext), s.path(rejectedDir, id, ext)); err != nil && !os.IsNotExist(err) {
			return mapi.Wrap(mapi.DiskError, err, "set aside spool message")
		}
	}
	if err := syncDir(d); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "sync spool directory")
	}
	if err := syncDir(s.path(outboxDir, "", "")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "sync spool directory")
	}
	return nil
}

// Rejected returns the IDs of the messages set aside in rejected/, sorted.
func (s *Spool) Rejected() ([]string, error) {
	if _, err := os.Stat(filepath.Join(s.Dir, rejectedDir)); os.IsNotExist(err) {
		return nil, nil
	}
	return s.ids(rejectedDir)
}

// isRejected reports whether message id has a file in rejected/.
func (s *Spool) isRejected(id string) bool {
	for _, ext := range []string{".age", ".json"} {
		if _, err := os.Lstat(s.path(rejectedDir, id, ext)); err == nil {
			return true
		}
	}
	return false
}

// rejectedErr is Retry's refusal of a message set aside.
func rejectedErr(id string) error {
	return mapi.Errorf(mapi.InvalidParameter, "message %s was set aside as not queued by this store; 'spool retry' does not apply to it", id).
		WithHint("if you did queue it, send it again; remove it with 'mapictl spool drop " + id + "'")
}
