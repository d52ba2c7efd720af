package main

import (
	"context"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/profile"
)

type sectionCreateOptions struct {
	Name, Kind, Transport string
	Set                   []string
}

func newSectionCreateCmd(f *factory) *cobra.Command {
	opts := &sectionCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create SECTION",
		Short: "Create a section (a transport by default)",
		Example: `  mapictl section create work --transport smtp --set smtp.host=smtp.corp.example --set email=dana@corp.example
  mapictl section create local --transport maildir
  mapictl section create ldap --kind addressbook --set 0x6600001F=ldap.corp.example`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if !cmd.Flags().Changed("kind") {
				opts.Kind = profile.KindTransport
			}
			return runSectionCreate(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVar(&opts.Kind, "kind", profile.KindTransport, "section kind: transport, service, store, addressbook")
	cmd.Flags().StringVar(&opts.Transport, "transport", "", "transport: smtp (default), maildir, sendmail")
	stringsVarP(cmd.Flags(), &opts.Set, "set", "", "set PROP=VALUE (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("transport", cobra.FixedCompletions(profile.TransportKinds, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(profile.Kinds[1:], cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSectionCreate(_ context.Context, opts *sectionCreateOptions, f *factory) error {
	if err := profile.CheckName("section", opts.Name); err != nil {
		return err
	}
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	var created *profile.Section
	_, err = f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
		s, err := p.AddSection(opts.Name, opts.Kind, opts.Transport)
		if err != nil {
			return err
		}
		created = s
		as, err := s.ParseAssignments(opts.Set)
		if err != nil {
			return err
		}
		_, err = s.Assign(as)
		return err
	})
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(sectionJSON(created))
	}
	f.printf("created section %s in profile %s\n", created.Name, name)
	return nil
}
