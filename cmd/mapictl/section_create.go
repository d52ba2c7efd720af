package main

import (
	"context"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

type sectionCreateOptions struct {
	Name, Kind, Transport, Inbound string
	Set                            []string
}

func newSectionCreateCmd(f *factory) *cobra.Command {
	opts := &sectionCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create SECTION",
		Short: "Create a section (a transport by default)",
		Long: `Create a section: a transport by default, whose mail leaves by --transport
(smtp unless given) and, with --inbound imap or pop3, comes in too (SPEC §8).
A transport section may have only an inbound side: --inbound without
--transport gives transport none, which sends nothing and is never the
default transport.`,
		Example: `  mapictl section create work --transport smtp --set smtp.host=smtp.corp.example --set email=dana@corp.example
  mapictl section create gmail --transport smtp --inbound imap --set inbound.host=imap.gmail.com
  mapictl section create pop --inbound pop3 --set inbound.host=pop.example.com
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
	cmd.Flags().StringVar(&opts.Transport, "transport", "", "transport: smtp (default), maildir, sendmail, none (default with --inbound)")
	cmd.Flags().StringVar(&opts.Inbound, "inbound", "", "inbound side: imap, pop3 or none (default)")
	stringsVarP(cmd.Flags(), &opts.Set, "set", "", "set PROP=VALUE (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("transport", cobra.FixedCompletions(profile.TransportKinds, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("set", completePropAssignment)
	_ = cmd.RegisterFlagCompletionFunc("inbound", cobra.FixedCompletions(profile.InboundKinds, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(profile.Kinds[1:], cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSectionCreate(_ context.Context, opts *sectionCreateOptions, f *factory) error {
	if err := profile.CheckName("section", opts.Name); err != nil {
		return err
	}
	if opts.Inbound != "" && opts.Kind != profile.KindTransport {
		return mapi.Errorf(mapi.InvalidParameter, "--inbound applies only to transport sections")
	}
	transport := opts.Transport
	if transport == "" && opts.Inbound != "" && opts.Inbound != "none" {
		transport = "none" // only an inbound side
	}
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	var created *profile.Section
	_, err = f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
		s, err := p.AddSection(opts.Name, opts.Kind, transport)
		if err != nil {
			return err
		}
		created = s
		if opts.Inbound != "" {
			if err := s.SetProp(mapi.PrInbound, opts.Inbound); err != nil {
				return err
			}
		}
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
