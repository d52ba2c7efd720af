package main

import (
	"github.com/spf13/cobra"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// editSection loads the profile under its lock and runs fn on one section.
func (f *factory) editSection(section string, fn func(p *profile.Profile, s *profile.Section, ids []age.Identity) error) (*profile.Section, error) {
	name, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	if err := profile.CheckName("section", section); err != nil {
		return nil, err
	}
	var sec *profile.Section
	_, err = f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
		s, err := p.Section(section)
		if err != nil {
			return err
		}
		sec = s
		return fn(p, s, ids)
	})
	return sec, err
}

func (f *factory) done(s *profile.Section, text string) error {
	if f.jsonOutput() {
		return f.printJSON(sectionJSON(s))
	}
	f.println(text)
	return nil
}

func newSectionSetCmd(f *factory) *cobra.Command {
	var set []string
	cmd := &cobra.Command{
		Use:   "set SECTION PROP=VALUE... (or --set PROP=VALUE...)",
		Short: "Set properties of a section",
		Long: `Set properties, given as arguments or with --set as 'section create' takes them.
Changing a setting its credentials are bound to (host, port, TLS, auth, email...)
re-binds them when you can open them; otherwise they stay unusable until a holder confirms.`,
		Example:           "  mapictl section set work smtp.port=465 smtp.security=tls\n  mapictl section set work --set smtp.port=465 --set smtp.security=tls\n  mapictl section set work PR_DISPLAY_NAME_W=\"Dana Li\"",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			assignments := append(args[1:len(args):len(args)], set...)
			if len(assignments) == 0 {
				return flagErr(cmd, errString("give at least one PROP=VALUE, as an argument or with --set"))
			}
			s, err := f.editSection(args[0], func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
				as, err := parseAssignments(s, assignments)
				if err != nil {
					return err
				}
				return f.applySettings(p, s, as, ids)
			})
			if err != nil {
				return err
			}
			return f.done(s, "updated section "+s.Name)
		},
	}
	stringsVarP(cmd.Flags(), &set, "set", "", "set PROP=VALUE (repeatable), as section create takes it")
	return cmd
}

func newSectionUnsetCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "unset SECTION PROP...",
		Short:             "Remove properties from a section",
		Example:           "  mapictl section unset work smtp.helo",
		Args:              cobra.MinimumNArgs(2),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.editSection(args[0], func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
				var changed []string
				for _, k := range args[1:] {
					t, err := mapi.ParseTag(k, s.Scope())
					if err != nil {
						return err
					}
					if t.Secure() {
						return mapi.Errorf(mapi.InvalidParameter, "%s is a secure property", k).
							WithHint("use 'mapictl credential delete " + s.Name + " --field " + k + "'")
					}
					if profile.IsReserved(t) || t == mapi.PrTransport {
						return mapi.Errorf(mapi.InvalidParameter, "%s is maintained by mapictl", k)
					}
					if _, ok := s.Props[t]; !ok {
						return mapi.Errorf(mapi.NotFound, "section %q has no property %s", s.Name, k)
					}
					if profile.IsBound(t) {
						changed = append(changed, mapi.DisplayName(t, s.Scope())+": "+mapi.FormatValue(t, s.Props[t])+" -> unset")
					}
					delete(s.Props, t)
				}
				return f.rebind(p, s, ids, changed)
			})
			if err != nil {
				return err
			}
			return f.done(s, "updated section "+s.Name)
		},
	}
}

func newSectionDeleteCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "delete SECTION",
		Short:             "Delete a section and its credentials",
		Example:           "  mapictl section delete old-smtp",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.editSection(args[0], func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
				return p.RemoveSection(s.Name)
			})
			if err != nil {
				return err
			}
			return f.done(s, "deleted section "+s.Name)
		},
	}
}

func newSectionDefaultCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "default SECTION",
		Short:             "Make a transport the default outbound one (STATUS_DEFAULT_OUTBOUND)",
		Example:           "  mapictl section default home",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.editSection(args[0], func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
				return p.SetDefaultOutbound(s)
			})
			if err != nil {
				return err
			}
			return f.done(s, "default outbound transport is now "+s.Name)
		},
	}
}

func newSectionOrderCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "order SECTION...",
		Short:             "Set the transport order (named sections first)",
		Example:           "  mapictl section order home work",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := f.ProfileName()
			if err != nil {
				return err
			}
			p, err := f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
				return p.Reorder(args)
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
		},
	}
}
