package profile

import (
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/fsutil"
)

// LoosePermissions returns, as ssh judges its files, a warning for each of
// the store at root that others could use: the store directory or its
// identity.txt readable or writable by group or others, or identity.txt a
// symbolic link (it may point at a file another user controls). None when
// the store is private or does not exist yet. Only the directory and
// identity.txt are judged: every file mapictl writes is 0600 anyway. On
// Windows only the link is judged: mode bits say nothing there about who
// may read a file (fsutil.OpenToOthers).
func LoosePermissions(root string) []string {
	var out []string
	if fi, err := os.Stat(root); err == nil && fi.IsDir() && fsutil.OpenToOthers(fi) {
		out = append(out, "store directory "+root+" is accessible by others (mode "+
			fsutil.ModeString(fi.Mode())+"); run 'chmod 700 "+root+"'")
	}
	id := filepath.Join(root, IdentityFile)
	fi, err := os.Lstat(id)
	switch {
	case err != nil:
	case fi.Mode()&os.ModeSymlink != 0:
		out = append(out, "identity file "+id+" is a symbolic link; keep the store's key as a regular file")
	case fsutil.OpenToOthers(fi):
		out = append(out, "identity file "+id+" is accessible by others (mode "+
			fsutil.ModeString(fi.Mode())+"); run 'chmod 600 "+id+"'")
	}
	return out
}
