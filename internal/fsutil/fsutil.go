// Package fsutil holds the store's file primitives: private directories,
// atomic private writes, and refusing symlinks where data is expected.
//
// Where platforms differ, the difference lives here, in files named
// *_unix.go and *_other.go (Windows and anything else without Unix
// permissions): syncing a directory ([SyncDir]), opening a file without
// following a link ([OpenNoFollow]) and judging who owns a file and who may
// read it ([ForeignOwner], [OpenToOthers]).
package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DirMode and FileMode are the store's permissions, whatever the umask.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// MkdirPrivate creates dir and its missing parents with mode 0700 and
// makes sure dir itself is 0700.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return os.Chmod(dir, DirMode)
}

// WriteFileAtomic replaces path with data, mode 0600: a temporary file in the
// same directory is written, synced, closed and renamed over path, and the
// directory is synced. On any error the temporary file is removed and path is
// left as it was.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(FileMode); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// CreateExclusive writes a new file at path (mode 0600) and fails with
// fs.ErrExist if it is already there. It is not atomic against crashes: use
// it for keys, which are written once.
func CreateExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// ErrSymlink is returned by ReadRegular for a path that is a symbolic link.
var ErrSymlink = errors.New("is a symbolic link")

// ReadRegular reads path, refusing a symbolic link or anything but a regular
// file, so that a store entry cannot point elsewhere.
func ReadRegular(path string) ([]byte, error) {
	f, size, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	buf.Grow(int(size) + bytes.MinRead) // as os.ReadFile: one read for a file that did not grow
	_, err = buf.ReadFrom(f)
	return buf.Bytes(), err
}

// OpenRegular opens path for reading with the checks of ReadRegular and
// returns its size. The checks are made on the file opened (OpenNoFollow,
// then its own Stat), so a path swapped for a link or a device in between
// is refused, while a file another process replaces by an atomic rename
// (a token file refreshed, a profile rewritten) is read whole, old or new,
// never refused for the race.
func OpenRegular(path string) (*os.File, int64, error) {
	for try := 0; ; try++ {
		f, err := OpenNoFollow(path)
		if errors.Is(err, errChanged) && try < 3 {
			continue // replaced between OpenNoFollow's check and its open (Windows)
		}
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		if !fi.Mode().IsRegular() {
			f.Close()
			return nil, 0, fmt.Errorf("%s is not a regular file", path)
		}
		return f, fi.Size(), nil
	}
}

// errChanged is OpenNoFollow's error (where it checks before it opens)
// for a path that named another file by the time it was opened.
var errChanged = errors.New("changed while it was opened")
