//go:build unix

package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// SyncDir fsyncs a directory so a rename, link or removal in it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// OpenNoFollow opens path read-only without following a symbolic link in
// its last element and without blocking on a FIFO (O_NOFOLLOW|O_NONBLOCK).
// A symbolic link is an error wrapping [ErrSymlink]. The caller checks the
// opened file's type with f.Stat.
func OpenNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil && errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s %w", path, ErrSymlink)
	}
	return f, err
}

// ForeignOwner reports whether fi (from Stat or Lstat) belongs to a user
// other than the effective user of this process.
func ForeignOwner(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) != os.Geteuid()
}

// OpenToOthers reports whether fi's permission bits let group or others
// read, write or enter it (any of 0o077).
func OpenToOthers(fi fs.FileInfo) bool {
	return fi.Mode().Perm()&0o077 != 0
}
