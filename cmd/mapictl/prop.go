package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
)

func newPropCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{Use: "prop", Short: "Property names and tags"}
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Short:   "Print the table of property aliases, tags and types",
		Example: "  mapictl prop list\n  mapictl prop list -o json | jq '.[] | select(.secure)'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPropList(cmd.Context(), &propListOptions{}, f)
		},
	})
	return cmd
}

type propListOptions struct{}

// runPropList prints mapictl's aliases, then the MAPI names that have none.
func runPropList(_ context.Context, _ *propListOptions, f *factory) error {
	out := []propJSON{}
	var rows [][]string
	for _, a := range mapi.Aliases {
		out = append(out, propJSON{Alias: a.Name, Tag: a.Tag.String(), Name: mapi.NameOf(a.Tag),
			Type: a.Tag.Type().String(), Secure: a.Tag.Secure(), Meaning: &a.Meaning})
		rows = append(rows, []string{a.Name, a.Tag.String(), a.Tag.Type().String(), a.Meaning})
	}
	for _, n := range mapi.Names() {
		t, _ := mapi.LookupName(n)
		if mapi.AliasOf(t) != "" {
			continue
		}
		out = append(out, propJSON{Tag: t.String(), Name: n, Type: t.Type().String()})
		rows = append(rows, []string{n, t.String(), t.Type().String(), ""})
	}
	if f.jsonOutput() {
		return f.printJSON(out)
	}
	f.table([]string{"NAME", "TAG", "TYPE", "MEANING"}, rows)
	return nil
}
