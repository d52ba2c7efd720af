package spool

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"github.com/mapictl/mapictl/internal/fsutil"
)

// tmpSuffix ends the name of every temp file; temp names are ".ID.RANDOM.tmp".
const tmpSuffix = ".tmp"

// writeAtomic writes data to dir/name (mode 0600) through a temp file in dir
// named after id: write, fsync, close, rename, fsync dir. The temp file is
// removed on every error path. A crash may leave the temp file behind;
// [Spool.Recover] removes it.
func writeAtomic(dir, name, id string, data []byte) error {
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(dir, "."+id+"."+hex.EncodeToString(rnd[:])+tmpSuffix)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// removeFile removes path; a missing file is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// syncDir fsyncs a directory so renames and removals in it are durable
// (a no-op where directories cannot be synced: see fsutil.SyncDir).
func syncDir(dir string) error { return fsutil.SyncDir(dir) }

// tempID returns the ID a temp file name belongs to, or "" when name is not
// a temp file.
func tempID(name string) string {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, tmpSuffix) {
		return ""
	}
	rest := name[1:]
	i := strings.IndexByte(rest, '.')
	if i < 0 {
		return ""
	}
	return rest[:i]
}
