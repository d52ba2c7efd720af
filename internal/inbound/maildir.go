package inbound

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/mapictl/mapictl/internal/fsutil"
)

// testOnlyWriter, when set by a test, wraps the writer of every tmp/ file
// (to simulate a full disk).
var testOnlyWriter func(io.Writer) io.Writer

// maildir is a Maildir's root.
type maildir struct{ root string }

// ensure creates root, tmp, new and cur (0700) where missing.
func (m maildir) ensure() error {
	for _, d := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(m.root, d), fsutil.DirMode); err != nil {
			return err
		}
	}
	return nil
}

func (m maildir) tmp(name string) string { return filepath.Join(m.root, "tmp", name) }

// hasTmp reports whether tmp/name exists (recovery's only question).
func (m maildir) hasTmp(name string) (bool, error) {
	_, err := os.Lstat(m.tmp(name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// writeTmp streams r into tmp/name (0600; a leftover is truncated) and
// returns the file, still open and not yet fsync'd, its size and hex
// SHA-256. On an error the file is removed. The caller fsyncs the file
// ([syncFiles]) and then tmp/ ([maildir.syncTmp]) before any intent
// names it, or closes and discards it.
func (m maildir) writeTmp(name string, r io.Reader) (f *os.File, n int64, digest string, err error) {
	path := m.tmp(name)
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fsutil.FileMode)
	if err != nil {
		return nil, 0, "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	h := sha256.New()
	var w io.Writer = f
	if testOnlyWriter != nil {
		w = testOnlyWriter(w)
	}
	if n, err = io.Copy(io.MultiWriter(w, h), r); err != nil {
		return nil, 0, "", err
	}
	crashPoint("after-write")
	return f, n, hex.EncodeToString(h.Sum(nil)), nil
}

// syncFiles fsyncs and closes every file of fs, concurrently (so that the
// file system can commit them together in one journal transaction), and
// returns their errors joined.
func syncFiles(fs []*os.File) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.Sync()
			if err := f.Close(); errs[i] == nil {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// discard removes tmp/name.
func (m maildir) discard(name string) error {
	err := os.Remove(m.tmp(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// syncTmp fsyncs tmp/, making the names of the files written there
// durable.
func (m maildir) syncTmp() error { return fsutil.SyncDir(filepath.Join(m.root, "tmp")) }

// syncNew fsyncs new/, making the renames into it durable.
func (m maildir) syncNew() error { return fsutil.SyncDir(filepath.Join(m.root, "new")) }

// publish renames tmp/name into new/ and fsyncs new/.
func (m maildir) publish(name string) error {
	if err := m.link(name); err != nil {
		return err
	}
	return m.syncNew()
}

// link renames tmp/name into new/ without an fsync. The target is
// new/name, or new/name.N when that is taken (never overwritten: it is an
// earlier message, e.g. of a reused POP3 UIDL).
func (m maildir) link(name string) error {
	dst := filepath.Join(m.root, "new", name)
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		} else if err != nil {
			return err
		}
		dst = filepath.Join(m.root, "new", name+"."+strconv.Itoa(i))
	}
	return os.Rename(m.tmp(name), dst)
}
