package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
)

// propAliases lists mapictl's aliases of non-secure properties (the ones
// section set and unset take), each followed by suffix ("=" for PROP=VALUE).
func propAliases(suffix, toComplete string) []string {
	var out []string
	for _, a := range mapi.Aliases {
		if !a.Tag.Secure() && strings.HasPrefix(a.Name, toComplete) {
			out = append(out, a.Name+suffix)
		}
	}
	return out
}

// completeSectionProps completes a section name first, then property
// aliases: as PROP= (no space after) when assign, else bare.
func (f *factory) completeSectionProps(assign bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return f.completeSections(cmd, args, toComplete)
		}
		if assign {
			return propAliases("=", toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
		}
		return propAliases("", toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// completePropAssignment completes a --set flag's PROP= part.
func completePropAssignment(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return propAliases("=", toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeSecureFields completes a credential --field: the aliases of the
// secure range.
func completeSecureFields(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, a := range mapi.Aliases {
		if a.Tag.Secure() && strings.HasPrefix(a.Name, toComplete) {
			out = append(out, a.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
