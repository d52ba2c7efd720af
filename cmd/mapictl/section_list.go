package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

type sectionListOptions struct{ All bool }

func newSectionListCmd(f *factory) *cobra.Command {
	opts := &sectionListOptions{}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the sections of the profile (the global section with --all)",
		Example: "  mapictl section list\n  mapictl -p team section list --all -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSectionList(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "include the global section")
	return cmd
}

func runSectionList(_ context.Context, opts *sectionListOptions, f *factory) error {
	p, err := f.loadSelected()
	if err != nil {
		return err
	}
	out := []sectionOutJSON{}
	var rows [][]string
	for _, s := range p.Sections {
		if s.Kind == profile.KindGlobal && !opts.All {
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
}

type sectionOpenOptions struct {
	Section string
	Secure  bool
	Props   []string
}

func newSectionOpenCmd(f *factory) *cobra.Command {
	opts := &sectionOpenOptions{}
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
			opts.Section = args[0]
			return runSectionOpen(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.Secure, "secure", false, "also decrypt and print the secure range")
	stringsVarP(cmd.Flags(), &opts.Props, "prop", "", "print only this property (repeatable; a secure one is decrypted)")
	return cmd
}

func runSectionOpen(_ context.Context, opts *sectionOpenOptions, f *factory) error {
	s, err := f.loadSection(opts.Section)
	if err != nil {
		return err
	}
	tags, vals, err := s.OpenProps(opts.Props, opts.Secure, f.Identities)
	if err != nil {
		return err
	}
	prfNames := manifest.PRFNames(s.Props)
	out := []sectionPropJSON{}
	var rows [][]string
	for _, t := range tags {
		v, name := vals[t], manifest.PropName(t, s.Scope(), prfNames)
		out = append(out, sectionPropJSON{Tag: t.String(), Name: name,
			Type: t.Type().String(), Value: mapi.JSONValue(v), Secure: t.Secure()})
		rows = append(rows, []string{t.String(), name, t.Type().String(), mapi.FormatValue(t, v)})
	}
	if f.jsonOutput() {
		return f.printJSON(out)
	}
	f.table([]string{"TAG", "NAME", "TYPE", "VALUE"}, rows)
	return nil
}
