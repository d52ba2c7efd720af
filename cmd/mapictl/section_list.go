package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newSectionListCmd(f *factory) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the sections of the profile (the global section with --all)",
		Example: "  mapictl section list\n  mapictl -p team section list --all -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.loadSelected()
			if err != nil {
				return err
			}
			out := []sectionOutJSON{}
			var rows [][]string
			for _, s := range p.Sections {
				if s.Kind == profile.KindGlobal && !all {
					continue
				}
				out = append(out, sectionJSON(s))
				ord, def := "", ""
				if s.Kind == profile.KindTransport {
					ord = fmt.Sprint(s.Ordinal())
					if s.DefaultOutbound() {
						def = "default"
					}
				}
				rows = append(rows, []string{s.Name, s.Kind, s.Transport(), s.String(mapi.PrEmailAddress), ord, def})
			}
			if f.jsonOutput() {
				return f.printJSON(out)
			}
			f.table([]string{"NAME", "KIND", "TRANSPORT", "EMAIL", "ORDER", "OUTBOUND"}, rows)
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include the global section")
	return cmd
}

func newSectionOpenCmd(f *factory) *cobra.Command {
	var withSecure bool
	var props []string
	cmd := &cobra.Command{
		Use:   "open SECTION",
		Short: "Print a section's properties (OpenProfileSection)",
		Long: `Print a section's non-secure properties. Secure properties (IDs 0x67F0-0x67FF)
are printed only with --secure, or when asked for by --prop, as MAPI returns
them only on explicit request. A property imported from an Outlook PRF
without a MAPI name of its own is named as the PRF's mapping named it
(ServerName rather than 0x6600001E).`,
		Example:           "  mapictl section open work\n  mapictl section open work --prop smtp.host --prop username\n  mapictl section open work --secure -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.loadSection(args[0])
			if err != nil {
				return err
			}
			var want []mapi.Tag
			needSecure := withSecure
			for _, pr := range props {
				t, err := mapi.ParseTag(pr, s.Scope())
				if err != nil {
					return err
				}
				want = append(want, t)
				needSecure = needSecure || t.Secure()
			}
			vals := map[mapi.Tag]any{}
			for t, v := range s.Props {
				vals[t] = v
			}
			if needSecure && s.Secure != nil {
				ids, err := f.Identities()
				if err != nil {
					return err
				}
				c, err := s.ReadSecure(ids)
				if err != nil {
					return err
				}
				for t, v := range c.Props {
					vals[t] = v
				}
			}
			var tags []mapi.Tag
			if len(want) > 0 {
				for _, t := range want {
					if _, ok := vals[t]; !ok {
						return mapi.Errorf(mapi.NotFound, "section %q has no property %s", s.Name, mapi.DisplayName(t, s.Scope()))
					}
				}
				tags = want
			} else {
				for t := range vals {
					if !t.Secure() || withSecure {
						tags = append(tags, t)
					}
				}
				sort.Slice(tags, func(i, j int) bool { return tags[i] < tags[j] })
			}
			prfNames := manifest.PRFNames(s.Props)
			out := []sectionPropJSON{}
			var rows [][]string
			for _, t := range tags {
				v := vals[t]
				name := propName(t, s.Scope(), prfNames)
				out = append(out, sectionPropJSON{Tag: t.String(), Name: name,
					Type: t.Type().String(), Value: mapi.JSONValue(v), Secure: t.Secure()})
				rows = append(rows, []string{t.String(), name, t.Type().String(), mapi.FormatValue(t, v)})
			}
			if f.jsonOutput() {
				return f.printJSON(out)
			}
			f.table([]string{"TAG", "NAME", "TYPE", "VALUE"}, rows)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withSecure, "secure", false, "also decrypt and print the secure range")
	stringsVarP(cmd.Flags(), &props, "prop", "", "print only this property (repeatable; a secure one is decrypted)")
	return cmd
}

// propName is the name section open prints for t: mapictl's alias or the
// MAPI name when there is one, else the name the PRF mapping gave the tag
// when the section was imported (manifest.PrPRFNames), else the tag.
func propName(t mapi.Tag, scope mapi.Scope, prfNames map[mapi.Tag]string) string {
	if t == manifest.PrPRFNames {
		return "prf-names"
	}
	name := mapi.DisplayName(t, scope)
	if n, ok := prfNames[t]; ok && name == t.String() {
		return n
	}
	return name
}
