package main

import (
	"github.com/spf13/cobra"
)

func newProfileCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Create, list, show and manage profiles",
		Example: `  mapictl profile create work --default
  mapictl profile list -o json
  mapictl profile show work`,
	}
	cmd.AddCommand(
		newProfileCreateCmd(f, nil),
		newProfileListCmd(f),
		newProfileShowCmd(f),
		newProfileDeleteCmd(f),
		newProfileCopyCmd(f),
		newProfileRenameCmd(f),
		newProfileDefaultCmd(f),
	)
	for _, add := range extraProfileCommands {
		cmd.AddCommand(add(f))
	}
	return cmd
}

// extraProfileCommands lets other files add profile subcommands (apply,
// import, export, recipients, rekey).
var extraProfileCommands []func(*factory) *cobra.Command
