package main

import (
	"context"

	"github.com/spf13/cobra"
)

func newProfileListCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the profiles in the store",
		Example: "  mapictl profile list\n  mapictl profile list -o json | jq -r '.[].name'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileList(cmd.Context(), &profileListOptions{}, f)
		},
	}
}

type profileListOptions struct{}

func runProfileList(_ context.Context, _ *profileListOptions, f *factory) error {
	st := f.Store()
	names, err := st.List()
	if err != nil {
		return err
	}
	def := f.defaultProfile()
	// The status needs each profile decrypted: only with an
	// identity at hand, and never at the cost of a prompt.
	if ids, err := f.quietIdentities(); err == nil {
		for _, n := range names {
			if p, err := st.Inspect(n, ids); err == nil {
				f.warnUnconfirmed(p)
			}
		}
	}
	if f.jsonOutput() {
		out := []profileListJSON{}
		for _, n := range names {
			out = append(out, profileListJSON{Name: n, Default: n == def, Path: st.Path(n)})
		}
		return f.printJSON(out)
	}
	var rows [][]string
	for _, n := range names {
		mark := ""
		if n == def {
			mark = "default"
		}
		rows = append(rows, []string{n, mark, st.Path(n)})
	}
	f.table([]string{"NAME", "DEFAULT", "PATH"}, rows)
	return nil
}
