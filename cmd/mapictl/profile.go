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
		newProfileCreateCmd(f),
		newProfileListCmd(f),
		newProfileShowCmd(f),
		newProfileDeleteCmd(f),
		newProfileCopyCmd(f),
		newProfileRenameCmd(f),
		newProfileDefaultCmd(f),
		newProfileAcceptCmd(f),
		newProfileAddCmd(f),
		newProfileApplyCmd(f),
		newProfileExportCmd(f),
		newProfileImportCmd(f),
		newProfileRecipientsCmd(f),
		newProfileRekeyCmd(f),
	)
	return cmd
}
