package profile

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Store is a mapictl store directory (SPEC §3). Readers take no lock; every
// read-modify-write of a profile holds NAME.lock for its whole duration.
//
// Every reader but Inspect returns only documents this store verified
// (signed under its pin, not older than it: trust.go); a command that
// writes must be run by an owner, and signs what it writes.
type Store struct {
	Root        string
	LockTimeout time.Duration // 0 means 10s
	// Warnf, when set, receives warnings that do not fail a command (a
	// pin that could not be advanced).
	Warnf func(format string, args ...any)
	// Context, when set, bounds every wait for a lock (a profile's, a
	// pin's): once it is cancelled (mapictl's is, by SIGINT and SIGTERM)
	// the wait ends with MAPI_E_USER_CANCEL and nothing is written. nil:
	// only LockTimeout ends a wait.
	Context context.Context
}

// Store layout.
const (
	IdentityFile  = "identity.txt"
	RecipientFile = "identity.pub"
	ConfigFile    = "config.yaml"
)

// ProfilesDir is <root>/profiles.
func (s *Store) ProfilesDir() string { return filepath.Join(s.Root, "profiles") }

// Path is the file of profile name.
func (s *Store) Path(name string) string { return filepath.Join(s.ProfilesDir(), name+".age") }

// Init creates the store directories (0700). A store is not a git
// repository (SPEC §3): it writes no .gitignore.
func (s *Store) Init() error {
	if err := fsutil.MkdirPrivate(s.ProfilesDir()); err != nil {
		return diskErr(err, "create store")
	}
	if err := fsutil.MkdirPrivate(s.Root); err != nil {
		return diskErr(err, "create store")
	}
	return nil
}

func (s *Store) lockTimeout() time.Duration {
	if s.LockTimeout <= 0 {
		return 10 * time.Second
	}
	return s.LockTimeout
}

// List returns the names of the profiles in the store, sorted.
func (s *Store) List() ([]string, error) {
	entries, err := os.ReadDir(s.ProfilesDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, diskErr(err, "list profiles")
	}
	var out []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".age")
		if ok && e.Type().IsRegular() && CheckName("profile", name) == nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Exists reports whether profile name has a file.
func (s *Store) Exists(name string) bool {
	_, err := os.Lstat(s.Path(name))
	return err == nil
}

// Load reads and decrypts profile name and returns it if this store
// verifies it. It returns MAPI_E_NOT_FOUND when there is no such profile,
// MAPI_E_NO_ACCESS when no identity opens it or it is unconfirmed (with
// the hint to review it with 'profile accept'), MAPI_E_CORRUPT_DATA when
// it does not decrypt or parse.
func (s *Store) Load(name string, ids []age.Identity) (*Profile, error) {
	p, err := s.Inspect(name, ids)
	if err != nil {
		return nil, err
	}
	if !p.Trust.Verified {
		return nil, p.Trust.unconfirmed(name)
	}
	return p, nil
}

// Inspect is Load that also returns an unconfirmed profile, with p.Trust
// saying why: for show, list and accept only.
func (s *Store) Inspect(name string, ids []age.Identity) (*Profile, error) {
	return s.read(name, ids, func(pt *secure.Plaintext) (*Profile, error) {
		doc, err := pt.All()
		if err != nil {
			return nil, err
		}
		p, err := Unmarshal(doc)
		if err == nil && p.Name != name {
			return nil, namesItself(p.Name)
		}
		return p, err
	})
}

// LoadSection is Load for a reader of one section (credential get, section
// open): it decodes that section in full and of the others only what
// UnmarshalSection checks, so its cost hardly grows with the number of
// sections. Errors as Load, and MAPI_E_NOT_FOUND for a missing section.
func (s *Store) LoadSection(name, section string, ids []age.Identity) (*Section, error) {
	var missing error
	p, err := s.read(name, ids, func(pt *secure.Plaintext) (*Profile, error) {
		h, _, err := unmarshalSectionAhead(pt, section)
		if h != nil && h.Name != name {
			return nil, namesItself(h.Name)
		}
		if err != nil && mapi.AsError(err).Code == mapi.NotFound && h != nil {
			missing, err = err, nil
		}
		return h, err
	})
	if err != nil {
		return nil, err
	}
	if !p.Trust.Verified {
		return nil, p.Trust.unconfirmed(name)
	}
	if missing != nil {
		return nil, missing
	}
	return p.Sections[0], nil
}

func namesItself(self string) error {
	return mapi.Errorf(mapi.CorruptData, "it names itself %q", clip(self))
}

// read starts decrypting the file of profile name and gives the plaintext
// to decode, which must not return a result before pt.All has authenticated
// the whole file; then it judges the document against this store's pin
// (p.Trust). A MAPI_E_CORRUPT_DATA error of decode is reported as the
// profile's corruption, a failing disk as MAPI_E_DISK_ERROR.
func (s *Store) read(name string, ids []age.Identity, decode func(pt *secure.Plaintext) (*Profile, error)) (*Profile, error) {
	if err := CheckName("profile", name); err != nil {
		return nil, err
	}
	f, size, err := fsutil.OpenRegular(s.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, mapi.Errorf(mapi.NotFound, "profile %q not found", name).
			WithHint("run 'mapictl profile list' to see the profiles, or 'mapictl profile create " + textsafe.ShellArg(name) + "'")
	}
	if errors.Is(err, fsutil.ErrSymlink) {
		return nil, mapi.Errorf(mapi.CorruptData, "profile %q is a symbolic link; refusing to follow it", name)
	}
	if err != nil {
		return nil, diskErr(err, "read profile")
	}
	defer f.Close()
	file := &readErr{r: f}
	var p *Profile
	pt, err := secure.DecryptAhead(file, size, ids)
	if err == nil {
		p, err = decode(pt)
		doc, aerr := pt.All() // and the file stays open until the end
		if aerr != nil {
			err = aerr
		}
		if err == nil {
			p.Trust = s.judge(p, doc, f, size, true)
			p.sealedFor = slices.Clone(p.Owners)
		}
	}
	switch {
	case file.failed() != nil:
		return nil, diskErr(file.failed(), "read profile")
	case err == nil:
		return p, nil
	}
	if nm := new(age.NoIdentityMatchError); errors.As(err, &nm) {
		return nil, mapi.Errorf(mapi.NoAccess, "no identity can open profile %q", name).
			WithHint("pass the right key with -i FILE, or ask an owner of the profile to share a section with your recipient")
	}
	if c := mapi.AsError(err).Code; c != mapi.CallFailed && c != mapi.CorruptData {
		return nil, err // a wrong passphrase, a cancelled prompt, a missing section...
	}
	return nil, mapi.Wrap(mapi.CorruptData, err, "profile "+quote(name)+" is corrupt")
}

// Lock takes the exclusive writer lock of profile name, waiting up to
// LockTimeout; then MAPI_E_BUSY (MAPI_E_USER_CANCEL when s.Context is
// cancelled first). The returned func releases it.
func (s *Store) Lock(name string) (func(), error) {
	if err := fsutil.MkdirPrivate(s.ProfilesDir()); err != nil {
		return nil, diskErr(err, "create store")
	}
	lf := filepath.Join(s.ProfilesDir(), name+".lock")
	fl := flock.New(lf, flock.SetPermissions(fsutil.FileMode))
	ok, err := s.tryLock(fl)
	if !ok {
		if err := s.lockCancelled("profile " + quote(name)); err != nil {
			return nil, err
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, diskErr(err, "lock profile")
		}
		return nil, mapi.Errorf(mapi.Busy, "profile %q is locked by another writer", name).
			WithHint("try again, or raise --lock-timeout")
	}
	return func() { _ = fl.Unlock() }, nil
}

// tryLock takes fl if it is free, else waits for it up to LockTimeout or
// until s.Context is cancelled. A cancelled context ends only a wait: a
// free lock is taken, so that the step in hand (a delivery's bookkeeping,
// a pin advanced) still finishes.
func (s *Store) tryLock(fl *flock.Flock) (bool, error) {
	if ok, err := fl.TryLock(); ok || err != nil {
		return ok, err
	}
	parent := s.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, s.lockTimeout())
	defer cancel()
	return fl.TryLockContext(ctx, 20*time.Millisecond)
}

// lockCancelled is the error of a wait for the lock of what ended because
// s.Context was cancelled; nil when it was not.
func (s *Store) lockCancelled(what string) error {
	if s.Context == nil || s.Context.Err() == nil {
		return nil
	}
	return mapi.Errorf(mapi.UserCancel, "cancelled while waiting for the lock of %s, nothing written", what)
}

// Create writes new profile p, owned by p.Owners, with a fresh signing
// key that this store pins; MAPI_E_COLLISION if one of that name exists.
func (s *Store) Create(p *Profile) error {
	if err := CheckName("profile", p.Name); err != nil {
		return err
	}
	if err := s.Init(); err != nil {
		return err
	}
	unlock, err := s.Lock(p.Name)
	if err != nil {
		return err
	}
	defer unlock()
	if s.Exists(p.Name) {
		return mapi.Errorf(mapi.Collision, "profile %q already exists", p.Name)
	}
	p.Version = 0
	p.Signing = nil
	return s.commit(p, secure.NewSigningKey(), nil)
}

// Update locks profile name, loads it (verified), checks that ids can open
// its signing key (only an owner writes: MAPI_E_NO_ACCESS otherwise), calls
// fn and, if fn succeeds and changed the document, signs and writes the
// result as the next version. Nothing is written when fn fails.
func (s *Store) Update(name string, ids []age.Identity, fn func(p *Profile) error) (*Profile, error) {
	if err := CheckName("profile", name); err != nil {
		return nil, err
	}
	unlock, err := s.Lock(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := s.Load(name, ids)
	if err != nil {
		return nil, err
	}
	key, err := s.ownerKey(p, ids)
	if err != nil {
		return nil, err
	}
	before, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	pin, uid := p.Trust.Pin, p.UID
	if err := fn(p); err != nil {
		return nil, err
	}
	if p.UID != uid {
		return nil, mapi.Errorf(mapi.CallFailed, "a change of profile %q replaced its uid", name)
	}
	p.deriveRecipients()
	after, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	if string(before) == string(after) && !p.rotate {
		return p, nil
	}
	return p, s.commit(p, key, pin)
}

// ownerKey opens verified profile p's signing key with ids. Errors:
// MAPI_E_NO_ACCESS when ids are no owner's, or when the sealed key is not
// the one this store pinned.
func (s *Store) ownerKey(p *Profile, ids []age.Identity) (*secure.SigningKey, error) {
	if p.Signing == nil {
		return nil, p.Trust.unconfirmed(p.Name)
	}
	key, err := secure.OpenSigningKey(p.Signing.Sealed(), ids)
	if mapi.IsCode(err, mapi.NoAccess) {
		return nil, mapi.Errorf(mapi.NoAccess, "only an owner of profile %q can change it", p.Name).
			WithHint("ask an owner ('mapictl profile show " + textsafe.ShellArg(p.Name) + "' lists them) to make the change")
	}
	if err != nil {
		return nil, err
	}
	if pin := p.Trust.Pin; pin == nil || key.Public() != pin.Key {
		return nil, mapi.Errorf(mapi.NoAccess, "the signing key sealed in profile %q is not the one this store pinned", p.Name).
			WithHint("review it with 'mapictl profile accept " + textsafe.ShellArg(p.Name) + "'")
	}
	return key, nil
}

// commit signs p as the version after pin's and p's, seals the signing
// key to the owners when they changed (or the key did), writes the file
// and pins it. Callers hold the profile's lock.
//
// A new key (p.rotate, or a key other than p's) is endorsed by prev, the
// key it succeeds, when there is one: other stores then follow the
// rotation instead of taking it for a key someone made up.
func (s *Store) commit(p *Profile, key *secure.SigningKey, pin *Pin) error {
	prev := key
	if p.rotate {
		key, p.rotate = secure.NewSigningKey(), false
	}
	if p.Signing != nil && prev != nil && prev.Public() != key.Public() {
		p.Signing.Rotations = append(p.Signing.Rotations,
			Rotation{Key: key.Public(), By: prev.Public(), Sig: prev.Endorse(p.UID, key.Public())})
		if n := len(p.Signing.Rotations); n > maxRotations {
			p.Signing.Rotations = p.Signing.Rotations[n-maxRotations:]
		}
	}
	if len(p.Owners) == 0 {
		return mapi.Errorf(mapi.InvalidParameter, "profile %q would have no owner left", p.Name)
	}
	p.deriveRecipients()
	if err := p.Validate(); err != nil {
		return mapi.Wrap(mapi.InvalidParameter, err, "refusing to write profile "+quote(p.Name))
	}
	if err := secure.CheckMix(p.Recipients); err != nil {
		return err
	}
	if p.Signing == nil || p.Signing.Key != key.Public() || !sameSet(p.sealedFor, p.Owners) {
		sealed, err := key.Seal(p.Owners)
		if err != nil {
			return err
		}
		g := &Signing{Key: key.Public()}
		if p.Signing != nil {
			g.extra, g.Rotations = p.Signing.extra, p.Signing.Rotations
		}
		g.setSealed(sealed)
		p.Signing, p.sealedFor = g, slices.Clone(p.Owners)
	}
	if pin != nil && pin.Version > p.Version {
		p.Version = pin.Version
	}
	p.Version++
	body, err := Marshal(p)
	if err != nil {
		return err
	}
	doc, digest := signDocument(body, key)
	ct, err := secure.Encrypt(doc, p.Recipients)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(s.Path(p.Name), ct); err != nil {
		return diskErr(err, "write profile")
	}
	next := &Pin{Key: key.Public(), Version: p.Version, Digest: hex.EncodeToString(digest[:])}
	if err := s.setPin(p.UID, next, ct); err != nil {
		return err
	}
	p.Trust = &Trust{Verified: true, Signed: true, Digest: digest, Pin: next}
	return nil
}

// Delete removes profile name (MAPI_E_NOT_FOUND if absent), verified or
// not. Its pin stays, as a known_hosts line would: a file of the same
// profile brought back later is judged against it.
func (s *Store) Delete(name string) error {
	if err := CheckName("profile", name); err != nil {
		return err
	}
	unlock, err := s.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.Remove(s.Path(name)); errors.Is(err, fs.ErrNotExist) {
		return mapi.Errorf(mapi.NotFound, "profile %q not found", name)
	} else if err != nil {
		return diskErr(err, "delete profile")
	}
	_ = os.Remove(filepath.Join(s.ProfilesDir(), name+".lock"))
	return fsutil.SyncDir(s.ProfilesDir())
}

// Copy writes verified profile src as dst with a new profile uid, a new
// PR_SEARCH_KEY and a new signing key (a copy is another profile, pinned
// here); sections keep their uids, owners and readers. Only an owner of
// src copies it.
func (s *Store) Copy(src, dst string, ids []age.Identity) (*Profile, error) {
	if err := CheckName("profile", dst); err != nil {
		return nil, err
	}
	p, err := s.Load(src, ids)
	if err != nil {
		return nil, err
	}
	if _, err := s.ownerKey(p, ids); err != nil {
		return nil, err
	}
	p.Name, p.UID = dst, NewUID()
	p.stampGlobal()
	return p, s.Create(p)
}

// Rename moves verified profile old to new, keeping its uid, search key
// and signing key; an owner's write like any other.
func (s *Store) Rename(old, new string, ids []age.Identity) (*Profile, error) {
	if err := CheckName("profile", new); err != nil {
		return nil, err
	}
	if old == new {
		return nil, mapi.Errorf(mapi.Collision, "profile %q already exists", new)
	}
	unlock, err := s.Lock(old)
	if err != nil {
		return nil, err
	}
	defer unlock()
	p, err := s.Load(old, ids)
	if err != nil {
		return nil, err
	}
	key, err := s.ownerKey(p, ids)
	if err != nil {
		return nil, err
	}
	unlockNew, err := s.Lock(new)
	if err != nil {
		return nil, err
	}
	defer unlockNew()
	if s.Exists(new) {
		return nil, mapi.Errorf(mapi.Collision, "profile %q already exists", new)
	}
	p.Name = new
	if g := p.Global(); g != nil {
		g.Props[mapi.PrProfileName] = new
	}
	if err := s.commit(p, key, p.Trust.Pin); err != nil {
		return nil, err
	}
	if err := os.Remove(s.Path(old)); err != nil {
		return nil, diskErr(err, "remove old profile file")
	}
	_ = os.Remove(filepath.Join(s.ProfilesDir(), old+".lock"))
	return p, fsutil.SyncDir(s.ProfilesDir())
}

func diskErr(err error, what string) error {
	return mapi.Wrap(mapi.DiskError, err, what)
}

func quote(s string) string { return `"` + s + `"` }

// readErr remembers an error of r other than io.EOF, so that a failing disk
// is told apart from a file that does not decrypt. secure.DecryptAhead
// reads it from its goroutine.
type readErr struct {
	r   io.ReaderAt
	mu  sync.Mutex
	err error
}

func (e *readErr) ReadAt(p []byte, off int64) (int, error) {
	n, err := e.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		e.mu.Lock()
		e.err = err
		e.mu.Unlock()
	}
	return n, err
}

func (e *readErr) failed() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}
