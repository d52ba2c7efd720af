package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

type profileDeleteOptions struct {
	Name string
	Yes  bool
}

func newProfileDeleteCmd(f *factory) *cobra.Command {
	opts := &profileDeleteOptions{}
	cmd := &cobra.Command{
		Use:               "delete NAME",
		Short:             "Delete a profile",
		Example:           "  mapictl profile delete old --yes",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runProfileDelete(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "do not ask for confirmation")
	return cmd
}

func runProfileDelete(_ context.Context, opts *profileDeleteOptions, f *factory) error {
	name := opts.Name
	if err := profile.CheckName("profile", name); err != nil {
		return err
	}
	if !f.Store().Exists(name) {
		return mapi.Errorf(mapi.NotFound, "profile %q not found", name)
	}
	if !opts.Yes {
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
	if err := f.followDefault(name, ""); err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(profileDeleteJSON{Name: name, Deleted: true})
	}
	f.printf("deleted profile %s\n", name)
	return nil
}

// followDefault points default-profile at renamed when it names old ("":
// clears it, old being deleted).
func (f *factory) followDefault(old, renamed string) error {
	if f.defaultProfile() != old {
		return nil
	}
	return f.setConfigValue("default-profile", renamed)
}

// profilePairOptions are the arguments of copy and rename.
type profilePairOptions struct{ From, To string }

func newProfileCopyCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "copy SRC DST",
		Short:             "Copy a profile (the copy gets a new uid and PR_SEARCH_KEY)",
		Example:           "  mapictl profile copy work work-test",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileCopy(cmd.Context(), &profilePairOptions{From: args[0], To: args[1]}, f)
		},
	}
}

func runProfileCopy(_ context.Context, opts *profilePairOptions, f *factory) error {
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	p, err := f.Store().Copy(opts.From, opts.To, ids)
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(profileCopyJSON{Name: p.Name, UID: p.UID, Source: opts.From})
	}
	f.printf("copied profile %s to %s\n", opts.From, p.Name)
	return nil
}

func newProfileRenameCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "rename OLD NEW",
		Short:             "Rename a profile",
		Example:           "  mapictl profile rename work corp",
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileRename(cmd.Context(), &profilePairOptions{From: args[0], To: args[1]}, f)
		},
	}
}

func runProfileRename(_ context.Context, opts *profilePairOptions, f *factory) error {
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	p, err := f.Store().Rename(opts.From, opts.To, ids)
	if err != nil {
		return err
	}
	if err := f.followDefault(opts.From, p.Name); err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(profileRenameJSON{Name: p.Name, UID: p.UID, OldName: opts.From})
	}
	f.printf("renamed profile %s to %s\n", opts.From, p.Name)
	return nil
}

type profileDefaultOptions struct {
	Name string
	Set  bool // NAME given: set it; else show the default
}

func newProfileDefaultCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "default [NAME]",
		Short:             "Show or set the default profile (kept in config.yaml)",
		Example:           "  mapictl profile default work\n  mapictl profile default",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &profileDefaultOptions{Set: len(args) == 1}
			if opts.Set {
				opts.Name = args[0]
			}
			return runProfileDefault(cmd.Context(), opts, f)
		},
	}
}

func runProfileDefault(_ context.Context, opts *profileDefaultOptions, f *factory) error {
	name := opts.Name
	if !opts.Set {
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
}
