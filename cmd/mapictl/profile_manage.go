package main

import (
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newProfileDeleteCmd(f *factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:               "delete NAME",
		Short:             "Delete a profile",
		Example:           "  mapictl profile delete old --yes",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := profile.CheckName("profile", name); err != nil {
				return err
			}
			if !f.Store().Exists(name) {
				return mapi.Errorf(mapi.NotFound, "profile %q not found", name)
			}
			if !yes {
				if !f.CanPrompt() {
					return mapi.Errorf(mapi.InvalidParameter, "--yes required when not running interactively")
				}
				ok, err := f.confirm("Delete profile " + name + "? [y/N] ")
				if err != nil {
					return err
				}
				if !ok {
					return mapi.Errorf(mapi.UserCancel, "not deleted")
				}
			}
			if err := f.Store().Delete(name); err != nil {
				return err
			}
			if f.defaultProfile() == name {
				if err := f.setConfigValue("default-profile", ""); err != nil {
					return err
				}
			}
			if f.jsonOutput() {
				return f.printJSON(profileDeleteJSON{Name: name, Deleted: true})
			}
			f.printf("deleted profile %s\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return cmd
}

func newProfileCopyCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "copy SRC DST",
		Short:             "Copy a profile (the copy gets a new uid and PR_SEARCH_KEY)",
		Example:           "  mapictl profile copy work work-test",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := f.Identities()
			if err != nil {
				return err
			}
			p, err := f.Store().Copy(args[0], args[1], ids)
			if err != nil {
				return err
			}
			if f.jsonOutput() {
				return f.printJSON(profileCopyJSON{Name: p.Name, UID: p.UID, Source: args[0]})
			}
			f.printf("copied profile %s to %s\n", args[0], p.Name)
			return nil
		},
	}
}

func newProfileRenameCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "rename OLD NEW",
		Short:             "Rename a profile",
		Example:           "  mapictl profile rename work corp",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := f.Identities()
			if err != nil {
				return err
			}
			p, err := f.Store().Rename(args[0], args[1], ids)
			if err != nil {
				return err
			}
			if f.defaultProfile() == args[0] {
				if err := f.setConfigValue("default-profile", p.Name); err != nil {
					return err
				}
			}
			if f.jsonOutput() {
				return f.printJSON(profileRenameJSON{Name: p.Name, UID: p.UID, OldName: args[0]})
			}
			f.printf("renamed profile %s to %s\n", args[0], p.Name)
			return nil
		},
	}
}

func newProfileDefaultCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "default [NAME]",
		Short:             "Show or set the default profile (kept in config.yaml)",
		Example:           "  mapictl profile default work\n  mapictl profile default",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				def := f.defaultProfile()
				if def == "" {
					return mapi.Errorf(mapi.NotFound, "no default profile set").
						WithHint("set one with 'mapictl profile default NAME'")
				}
				if f.jsonOutput() {
					return f.printJSON(profileDefaultJSON{Name: def})
				}
				f.println(def)
				return nil
			}
			name := args[0]
			if err := profile.CheckName("profile", name); err != nil {
				return err
			}
			if !f.Store().Exists(name) {
				return mapi.Errorf(mapi.NotFound, "profile %q not found", name)
			}
			if err := f.setConfigValue("default-profile", name); err != nil {
				return err
			}
			if f.jsonOutput() {
				return f.printJSON(profileDefaultJSON{Name: name, Default: true})
			}
			f.printf("default profile is now %s\n", name)
			return nil
		},
	}
}
