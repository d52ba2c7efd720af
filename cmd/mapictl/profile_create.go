package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

type profileCreateOptions struct {
	Name           string
	Recipients     []string
	RecipientsFile string
	Default        bool
}

func newProfileCreateCmd(f *factory) *cobra.Command {
	opts := &profileCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a profile holding only its global section",
		Long: `Create a profile. The first profile of a store also creates the store's
default identity (identity.txt, identity.pub). You and any --recipient given
are its owners: they read every section and only they can change it. The
profile is signed with a fresh signing key that this store pins (share a
section with others with 'section share').`,
		Example: `  mapictl profile create dana --default
  mapictl profile create team --recipient age1... --recipients-file admins.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runProfileCreate(cmd.Context(), opts, f)
		},
	}
	stringsVarP(cmd.Flags(), &opts.Recipients, "recipient", "", "also make this age or SSH recipient an owner (reads every section, can change the profile; repeatable)")
	cmd.Flags().StringVar(&opts.RecipientsFile, "recipients-file", "", "also make the recipients listed in this file owners")
	cmd.Flags().BoolVar(&opts.Default, "default", false, "make it the default profile")
	return cmd
}

func runProfileCreate(_ context.Context, opts *profileCreateOptions, f *factory) error {
	if err := profile.CheckName("profile", opts.Name); err != nil {
		return err
	}
	extra, err := secure.ResolveRecipients(opts.Recipients, opts.RecipientsFile)
	if err != nil {
		return err
	}
	st := f.Store()
	if st.Exists(opts.Name) {
		return mapi.Errorf(mapi.Collision, "profile %q already exists", opts.Name)
	}
	own, created, err := st.OwnRecipients(f.ownKeys(false))
	if err != nil {
		return err
	}
	recips, err := secure.MergeRecipients(own, extra)
	if err != nil {
		return err
	}
	p := profile.New(opts.Name, recips)
	if err := st.Create(p); err != nil {
		return err
	}
	if opts.Default {
		if err := f.setConfigValue("default-profile", opts.Name); err != nil {
			return err
		}
	}
	if f.jsonOutput() {
		return f.printJSON(profileCreateJSON{Name: p.Name, UID: p.UID, Owners: p.Owners, Recipients: p.Recipients,
			KeyFingerprint: p.KeyFingerprint(),
			Default:        opts.Default, Path: st.Path(p.Name), IdentityCreated: created})
	}
	if created {
		fmt.Fprintf(f.IO.Err, "mapictl: created identity %s (keep a copy: it opens your profiles)\n", st.IdentityPath())
	}
	f.printf("created profile %s\n", p.Name)
	return nil
}

// ownKeys is how this run finds the recipients of a profile it creates
// (profile.Store.OwnRecipients).
func (f *factory) ownKeys(dryRun bool) profile.OwnKeys {
	return profile.OwnKeys{UsesStore: secure.UsesStoreIdentity(f.identityFlag, os.Getenv),
		Identities: f.Identities, Now: nowFunc(), DryRun: dryRun}
}
