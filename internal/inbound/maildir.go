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

// writeTmp streams r into tmp/name (0600; a leftover is truncated),
// fsyncs it and tmp/, and returns its size and hex SHA-256. On an error
// the file is removed.
func (m maildir) writeTmp(name string, r io.Reader) (n int64, digest string, err error) {
	path := m.tmp(name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fsutil.FileMode)
	if err != nil {
		return 0, "", err
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
		return 0, "", err
	}
	crashPoint("after-write")
	if err = f.Sync(); err != nil {
		return 0, "", err
	}
	if err = f.Close(); err != nil {
		return 0, "", err
	}
	if err = fsutil.SyncDir(filepath.Join(m.root, "tmp")); err != nil {
		return 0, "", err
	}
	crashPoint("after-fsync")
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// discard removes tmp/name.
func (m maildir) discard(name string) error {
	err := os.Remove(m.tmp(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// publish renames tmp/name into new/ and fsyncs new/. The target is
// new/name, or new/name.N when that is taken (never overwritten: it is an
// earlier message, e.g. of a reused POP3 UIDL).
func (m maildir) publish(name string) error {
	dst := filepath.Join(m.root, "new", name)
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		} else if err != nil {
			return err
		}
		dst = filepath.Join(m.root, "new", name+"."+strconv.Itoa(i))
	}
	if err := os.Rename(m.tmp(name), dst); err != nil {
		return err
	}
	return fsutil.SyncDir(filepath.Join(m.root, "new"))
}
