package main

import (
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/profile"
)

// harden makes root warn, once on stderr and as ssh does, about a store
// whose directory or identity.txt others could use (profile.LoosePermissions)
// before any command runs, after the flags (and so --store) are parsed. It
// returns root.
func harden(f *factory, root *cobra.Command) *cobra.Command {
	next := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		for _, w := range profile.LoosePermissions(f.StoreDir()) {
			f.warnf("%s", w)
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
	return root
}
