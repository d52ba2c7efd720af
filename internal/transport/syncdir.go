package transport

import "github.com/mapictl/mapictl/internal/fsutil"

// syncDir fsyncs a directory so a rename or link into it is durable; where
// directories cannot be synced (Windows) it does nothing (fsutil.SyncDir).
func syncDir(dir string) error { return fsutil.SyncDir(dir) }
