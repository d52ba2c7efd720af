package main

import (
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newSectionCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "section",
		Short: "Manage a profile's sections (message services and providers)",
		Example: `  mapictl section create work --transport smtp --set smtp.host=smtp.corp.example --set email=dana@corp.example
  mapictl section list
  mapictl section open work --prop smtp.host`,
	}
	cmd.AddCommand(newSectionCreateCmd(f), newSectionListCmd(f), newSectionOpenCmd(f),
		newSectionSetCmd(f), newSectionUnsetCmd(f), newSectionDeleteCmd(f),
		newSectionDefaultCmd(f), newSectionOrderCmd(f))
	for _, add := range extraSectionCommands {
		cmd.AddCommand(add(f))
	}
	return cmd
}

// extraSectionCommands lets other files add section subcommands (share, unshare).
var extraSectionCommands []func(*factory) *cobra.Command

// assignment is one PROP=VALUE argument, parsed against a section.
type assignment struct {
	Tag   mapi.Tag
	Value any
}

// parseAssignments parses PROP=VALUE pairs for section s. Secure tags are
// refused (secrets never come from argv; credential set stores them).
func parseAssignments(s *profile.Section, pairs []string) ([]assignment, error) {
	var out []assignment
	for _, pair := range pairs {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, mapi.Errorf(mapi.InvalidParameter, "want PROP=VALUE, got %q", clipArg(pair))
		}
		t, err := mapi.ParseTag(k, s.Scope())
		if err != nil {
			return nil, err
		}
		if t.Secure() {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is a secure property and cannot be given on the command line", k).
				WithHint("store credentials with 'mapictl credential set " + s.Name + "' (the secret is read from a prompt or stdin)")
		}
		if profile.IsReserved(t) {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is maintained by mapictl", k)
		}
		val, err := mapi.ParseValue(t, v)
		if err != nil {
			return nil, err
		}
		out = append(out, assignment{t, val})
	}
	return out, nil
}

// clipArg shortens an argument quoted in an error; it is never a secret
// (secure tags are refused before values are parsed).
func clipArg(s string) string {
	if k, _, ok := strings.Cut(s, "="); ok {
		return k + "=…"
	}
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// applySettings sets the assignments on s and, when a bound setting changed
// and s has a secure range, re-binds it (the caller holds the range) or warns.
func (f *factory) applySettings(s *profile.Section, as []assignment, ids []age.Identity) error {
	bound := false
	for _, a := range as {
		if err := s.SetProp(a.Tag, a.Value); err != nil {
			return err
		}
		bound = bound || profile.IsBound(a.Tag)
	}
	if s.Secure == nil {
		return nil
	}
	if err := s.Rebind(ids); err != nil {
		if mapi.IsCode(err, mapi.NoAccess) {
			if bound {
				f.warnf("you cannot open the credentials of section %q: they stay bound to its old settings until a holder confirms the change", s.Name)
			}
			return nil
		}
		return err
	}
	return nil
}
