package main

import (
	"context"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/profile"
)

// sectionEditOptions are the arguments of section set, unset, delete,
// default and order: a section (for order, the first of the sections) and
// the rest (set: PROP=VALUE pairs, --set ones after; unset: properties).
type sectionEditOptions struct {
	Section string
	Args    []string
}

func newSectionSetCmd(f *factory) *cobra.Command {
	opts := &sectionEditOptions{}
	var set []string
	cmd := &cobra.Command{
		Use:   "set SECTION PROP=VALUE... (or --set PROP=VALUE...)",
		Short: "Set properties of a section",
		Long: `Set properties, given as arguments or with --set as 'section create' takes them.
Changing a setting its credentials are bound to (host, port, TLS, auth, email...)
re-binds them when you can open them; otherwise they stay unusable until a holder confirms.`,
		Example:           "  mapictl section set work smtp.port=465 smtp.security=tls\n  mapictl section set work --set smtp.port=465 --set smtp.security=tls\n  mapictl section set work PR_DISPLAY_NAME_W=\"Dana Li\"",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: f.completeSectionProps(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Section, opts.Args = args[0], append(args[1:len(args):len(args)], set...)
			if len(opts.Args) == 0 {
				return flagErr(cmd, errString("give at least one PROP=VALUE, as an argument or with --set"))
			}
			return runSectionSet(cmd.Context(), opts, f)
		},
	}
	stringsVarP(cmd.Flags(), &set, "set", "", "set PROP=VALUE (repeatable), as section create takes it")
	_ = cmd.RegisterFlagCompletionFunc("set", completePropAssignment)
	return cmd
}

func runSectionSet(_ context.Context, opts *sectionEditOptions, f *factory) error {
	s, err := f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		as, err := s.ParseAssignments(opts.Args)
		if err != nil {
			return err
		}
		changed, err := s.Assign(as)
		if err != nil {
			return err
		}
		return p.Rebind(s, ids, changed, f.warnf)
	})
	if err != nil {
		return err
	}
	return f.sectionDone(s, "updated section "+s.Name)
}

func newSectionUnsetCmd(f *factory) *cobra.Command {
	cmd := newSectionEditCmd(f, &cobra.Command{
		Use:     "unset SECTION PROP...",
		Short:   "Remove properties from a section",
		Example: "  mapictl section unset work smtp.helo",
		Args:    cobra.MinimumNArgs(2),
	}, runSectionUnset)
	cmd.ValidArgsFunction = f.completeSectionProps(false)
	return cmd
}

func runSectionUnset(_ context.Context, opts *sectionEditOptions, f *factory) error {
	s, err := f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		changed, err := s.Unset(opts.Args)
		if err != nil {
			return err
		}
		return p.Rebind(s, ids, changed, f.warnf)
	})
	if err != nil {
		return err
	}
	return f.sectionDone(s, "updated section "+s.Name)
}

func newSectionDeleteCmd(f *factory) *cobra.Command {
	return newSectionEditCmd(f, &cobra.Command{
		Use:     "delete SECTION",
		Short:   "Delete a section and its credentials",
		Example: "  mapictl section delete old-smtp",
		Args:    cobra.ExactArgs(1),
	}, runSectionDelete)
}

func runSectionDelete(_ context.Context, opts *sectionEditOptions, f *factory) error {
	s, err := f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		return p.RemoveSection(s.Name)
	})
	if err != nil {
		return err
	}
	return f.sectionDone(s, "deleted section "+s.Name)
}

func newSectionDefaultCmd(f *factory) *cobra.Command {
	return newSectionEditCmd(f, &cobra.Command{
		Use:     "default SECTION",
		Short:   "Make a transport the default outbound one (STATUS_DEFAULT_OUTBOUND)",
		Example: "  mapictl section default home",
		Args:    cobra.ExactArgs(1),
	}, runSectionDefault)
}

func runSectionDefault(_ context.Context, opts *sectionEditOptions, f *factory) error {
	s, err := f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		return p.SetDefaultOutbound(s)
	})
	if err != nil {
		return err
	}
	return f.sectionDone(s, "default outbound transport is now "+s.Name)
}

func newSectionOrderCmd(f *factory) *cobra.Command {
	return newSectionEditCmd(f, &cobra.Command{
		Use:     "order SECTION...",
		Short:   "Set the transport order (named sections first)",
		Example: "  mapictl section order home work",
		Args:    cobra.MinimumNArgs(1),
	}, runSectionOrder)
}

func runSectionOrder(_ context.Context, opts *sectionEditOptions, f *factory) error {
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	p, err := f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
		return p.Reorder(append([]string{opts.Section}, opts.Args...))
	})
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		out := []sectionOutJSON{}
		for _, t := range p.Transports() {
			out = append(out, sectionJSON(t))
		}
		return f.printJSON(out)
	}
	for _, t := range p.Transports() {
		f.printf("%d\t%s\n", t.Ordinal(), t.Name)
	}
	return nil
}

// newSectionEditCmd completes cmd, a section command whose arguments are
// a section and the rest (sectionEditOptions), with run as its work.
func newSectionEditCmd(f *factory, cmd *cobra.Command, run func(context.Context, *sectionEditOptions, *factory) error) *cobra.Command {
	opts := &sectionEditOptions{}
	cmd.ValidArgsFunction = f.completeSections
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.Section, opts.Args = args[0], args[1:]
		return run(cmd.Context(), opts, f)
	}
	return cmd
}
