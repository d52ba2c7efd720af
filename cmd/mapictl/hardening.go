package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/profile"
)

// harden makes root check the store's permissions before any command runs,
// after the flags (and so --store) are parsed. It returns root.
func harden(f *factory, root *cobra.Command) *cobra.Command {
	next := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		f.warnLoosePermissions()
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
	return root
}

// warnLoosePermissions warns once on stderr, as ssh does, when the store
// directory or its identity.txt can be read or written by group or others,
// or when identity.txt is a symbolic link (it may point at a file another
// user controls). A store that does not exist yet is not a problem. On
// Windows only the link is judged: its mode bits say nothing about who may
// read a file (see fsutil.OpenToOthers).
func (f *factory) warnLoosePermissions() {
	for _, w := range loosePermissions(f.StoreDir()) {
		f.warnf("%s", w)
	}
}

// loosePermissions returns the warnings for the store at dir; none when it
// is private. Only the store directory and identity.txt are judged: every
// file mapictl writes is 0600 anyway.
func loosePermissions(dir string) []string {
	var out []string
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() && fsutil.OpenToOthers(fi) {
		out = append(out, "store directory "+dir+" is accessible by others (mode "+
			modeString(fi.Mode())+"); run 'chmod 700 "+dir+"'")
	}
	id := filepath.Join(dir, profile.IdentityFile)
	fi, err := os.Lstat(id)
	switch {
	case errors.Is(err, fs.ErrNotExist) || err != nil:
	case fi.Mode()&fs.ModeSymlink != 0:
		out = append(out, "identity file "+id+" is a symbolic link; keep the store's key as a regular file")
	case fsutil.OpenToOthers(fi):
		out = append(out, "identity file "+id+" is accessible by others (mode "+
			modeString(fi.Mode())+"); run 'chmod 600 "+id+"'")
	}
	return out
}

func modeString(m fs.FileMode) string {
	const digits = "01234567"
	p := m.Perm()
	return string([]byte{'0', digits[p>>6&7], digits[p>>3&7], digits[p&7]})
}
