//go:build !unix

package fsutil

import (
	"fmt"
	"io/fs"
	"os"
)

// SyncDir does nothing where a directory cannot be synced. On Windows a
// directory handle opened for reading refuses FlushFileBuffers, and NTFS
// journals renames itself; the files' own Sync still runs before a rename.
func SyncDir(string) error { return nil }

// OpenNoFollow opens path read-only, refusing a symbolic link or another
// reparse point (a junction, a mount point) with an error wrapping
// [ErrSymlink]. Windows has no O_NOFOLLOW: what stands in is an Lstat of
// the path before the open and a check (os.SameFile) that the file opened
// is the one Lstat saw, so a link swapped in between is refused too.
func OpenNoFollow(path string) (*os.File, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, fmt.Errorf("%s %w", path, ErrSymlink)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if got, err := f.Stat(); err != nil || !os.SameFile(fi, got) {
		f.Close()
		return nil, fmt.Errorf("%s %w", path, errChanged)
	}
	return f, nil
}

// ForeignOwner is always false here: Windows' os.FileInfo carries no
// owner, and a file's owner SID says little there, as access is decided by
// its ACL. A store under the user's profile directory inherits an ACL that
// gives only that user, SYSTEM and administrators access.
func ForeignOwner(fs.FileInfo) bool { return false }

// OpenToOthers is always false here: Windows' permission bits only mirror
// the read-only attribute (0o666 or 0o444 for every file), so they cannot
// say who else may read it; that is the ACL's job (see [ForeignOwner]).
func OpenToOthers(fs.FileInfo) bool { return false }
