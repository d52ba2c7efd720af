package profile

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// Store is a mapictl store directory (SPEC §3). Readers take no lock; every
// read-modify-write of a profile holds NAME.lock for its whole duration.
type Store struct {
	Root        string
	LockTimeout time.Duration // 0 means 10s
}

// Store layout.
const (
	IdentityFile  = "identity.txt"
	RecipientFile = "identity.pub"
	ConfigFile    = "config.yaml"
)

// gitignore keeps everything but profiles/ out of a store kept in git.
const gitignore = "# written by mapictl: only profiles/ belongs in git\n/*\n!/profiles/\n!/.gitignore\n/profiles/*.lock\n/profiles/.*\n"

// ProfilesDir is <root>/profiles.
func (s *Store) ProfilesDir() string { return filepath.Join(s.Root, "profiles") }

// Path is the file of profile name.
func (s *Store) Path(name string) string { return filepath.Join(s.ProfilesDir(), name+".age") }

// Init creates the store directories (0700) and its .gitignore.
func (s *Store) Init() error {
	if err := fsutil.MkdirPrivate(s.ProfilesDir()); err != nil {
		return diskErr(err, "create store")
	}
	if err := fsutil.MkdirPrivate(s.Root); err != nil {
		return diskErr(err, "create store")
	}
	gi := filepath.Join(s.Root, ".gitignore")
	if _, err := os.Lstat(gi); errors.Is(err, fs.ErrNotExist) {
		if err := fsutil.WriteFileAtomic(gi, []byte(gitignore)); err != nil {
			return diskErr(err, "write .gitignore")
		}
	}
	return nil
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

// Load reads and decrypts profile name. It returns MAPI_E_NOT_FOUND when
// there is no such profile, MAPI_E_NO_ACCESS when no identity opens it and
// MAPI_E_CORRUPT_DATA when it does not decrypt or parse.
func (s *Store) Load(name string, ids []age.Identity) (*Profile, error) {
	var p *Profile
	err := s.read(name, ids, func(pt *secure.Plaintext) error {
		doc, err := pt.All()
		if err != nil {
			return err
		}
		p, err = Unmarshal(doc)
		if err == nil && p.Name != name {
			return namesItself(p.Name)
		}
		return err
	})
	return p, err
}

// LoadSection is Load for a reader of one section (credential get, section
// open): it decodes that section in full and of the others only what
// UnmarshalSection checks, so its cost hardly grows with the number of
// sections. Errors as Load, and MAPI_E_NOT_FOUND for a missing section.
func (s *Store) LoadSection(name, section string, ids []age.Identity) (*Section, error) {
	var sec *Section
	err := s.read(name, ids, func(pt *secure.Plaintext) error {
		self, got, err := unmarshalSectionAhead(pt, section)
		if (err == nil || mapi.AsError(err).Code == mapi.NotFound) && self != name {
			return namesItself(self)
		}
		sec = got
		return err
	})
	return sec, err
}

func namesItself(self string) error {
	return mapi.Errorf(mapi.CorruptData, "it names itself %q", clip(self))
}

// read starts decrypting the file of profile name and gives the plaintext
// to decode, which must not return a result before pt.All has authenticated
// the whole file. A MAPI_E_CORRUPT_DATA error of decode is reported as the
// profile's corruption, a failing disk as MAPI_E_DISK_ERROR.
func (s *Store) read(name string, ids []age.Identity, decode func(pt *secure.Plaintext) error) error {
	if err := CheckName("profile", name); err != nil {
		return err
	}
	f, size, err := fsutil.OpenRegular(s.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return mapi.Errorf(mapi.NotFound, "profile %q not found", name).
			WithHint("run 'mapictl profile list' to see the profiles, or 'mapictl profile create " + name + "'")
	}
	if errors.Is(err, fsutil.ErrSymlink) {
		return mapi.Errorf(mapi.CorruptData, "profile %q is a symbolic link; refusing to follow it", name)
	}
	if err != nil {
		return diskErr(err, "read profile")
	}
	defer f.Close()
	file := &readErr{r: f}
	pt, err := secure.DecryptAhead(file, size, ids)
	if err == nil {
		err = decode(pt)
		if _, aerr := pt.All(); aerr != nil { // and the file stays open until the end
			err = aerr
		}
	}
	switch {
	case file.failed() != nil:
		return diskErr(file.failed(), "read profile")
	case err == nil:
		return nil
	}
	if nm := new(age.NoIdentityMatchError); errors.As(err, &nm) {
		return mapi.Errorf(mapi.NoAccess, "no identity can open profile %q", name).
			WithHint("pass the right key with -i FILE, or ask a reader of the profile to add your recipient")
	}
	if c := mapi.AsError(err).Code; c != mapi.CallFailed && c != mapi.CorruptData {
		return err // a wrong passphrase, a cancelled prompt, a missing section...
	}
	return mapi.Wrap(mapi.CorruptData, err, "profile "+quote(name)+" is corrupt")
}

// Save encrypts p to its recipients and writes it atomically. Callers hold
// the profile's lock (see Update and Create).
func (s *Store) save(p *Profile) error {
	if err := p.Validate(); err != nil {
		return mapi.Wrap(mapi.InvalidParameter, err, "refusing to write profile "+quote(p.Name))
	}
	doc, err := Marshal(p)
	if err != nil {
		return err
	}
	ct, err := secure.Encrypt(doc, p.Recipients)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(s.Path(p.Name), ct); err != nil {
		return diskErr(err, "write profile")
	}
	return nil
}

// Lock takes the exclusive writer lock of profile name, waiting up to
// LockTimeout; then MAPI_E_BUSY. The returned func releases it.
func (s *Store) Lock(name string) (func(), error) {
	if err := fsutil.MkdirPrivate(s.ProfilesDir()); err != nil {
		return nil, diskErr(err, "create store")
	}
	lf := filepath.Join(s.ProfilesDir(), name+".lock")
	fl := flock.New(lf, flock.SetPermissions(fsutil.FileMode))
	timeout := s.LockTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if !ok {
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, diskErr(err, "lock profile")
		}
		return nil, mapi.Errorf(mapi.Busy, "profile %q is locked by another writer", name).
			WithHint("try again, or raise --lock-timeout")
	}
	return func() { _ = fl.Unlock() }, nil
}

// Create writes a new profile; MAPI_E_COLLISION if one of that name exists.
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
	return s.save(p)
}

// Update locks profile name, loads it, calls fn and, if fn succeeds and
// changed the document, writes the result. Nothing is written when fn fails.
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
	before, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := fn(p); err != nil {
		return nil, err
	}
	after, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	if string(before) == string(after) {
		return p, nil
	}
	return p, s.save(p)
}

// Delete removes profile name (MAPI_E_NOT_FOUND if absent).
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

// Copy writes profile src as dst with a new profile uid and a new
// PR_SEARCH_KEY (a copy is another profile); sections keep their uids.
func (s *Store) Copy(src, dst string, ids []age.Identity) (*Profile, error) {
	if err := CheckName("profile", dst); err != nil {
		return nil, err
	}
	p, err := s.Load(src, ids)
	if err != nil {
		return nil, err
	}
	p.Name, p.UID = dst, NewUID()
	p.stampGlobal()
	return p, s.Create(p)
}

// Rename moves profile old to new, keeping its uid and search key.
func (s *Store) Rename(old, new string, ids []age.Identity) (*Profile, error) {
	if err := CheckName("profile", new); err != nil {
		return nil, err
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
	p.Name = new
	if g := p.Global(); g != nil {
		g.Props[mapi.PrProfileName] = new
	}
	if err := s.Create(p); err != nil {
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
