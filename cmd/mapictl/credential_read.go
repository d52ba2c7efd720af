package main

import (
	"sort"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newCredentialGetCmd(f *factory) *cobra.Command {
	var field string
	cmd := &cobra.Command{
		Use:   "get SECTION",
		Short: "Print one secret of a section (default: the password)",
		Long: `Print the value alone and a newline, or with -o json an object. Credentials
whose section settings changed since they were stored are refused (77).`,
		Example:           "  mapictl credential get work\n  mapictl credential get work --field username\n  mapictl credential get work -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.loadSection(args[0])
			if err != nil {
				return err
			}
			tag, err := secureField(s, field)
			if err != nil {
				return err
			}
			ids, err := f.Identities()
			if err != nil {
				return err
			}
			c, err := s.ReadSecure(ids)
			if err != nil {
				return err
			}
			v, ok := c.Props[tag]
			if !ok {
				return mapi.Errorf(mapi.NotFound, "section %q has no %s stored", s.Name, mapi.DisplayName(tag, s.Scope())).
					WithHint("store it with 'mapictl credential set " + s.Name + "'")
			}
			if f.jsonOutput() {
				if field != "" {
					return f.printJSON(map[string]any{"section": s.Name, "field": mapi.DisplayName(tag, s.Scope()), "value": mapi.JSONValue(v)})
				}
				user, _ := c.Props[mapi.PrUsername].(string)
				return f.printJSON(map[string]any{"section": s.Name, "username": user, "password": mapi.JSONValue(v)})
			}
			f.println(mapi.FormatValue(tag, v))
			return nil
		},
	}
	cmd.Flags().StringVar(&field, "field", "", "secure property to print (default password)")
	return cmd
}

func newCredentialListCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List which sections hold credentials, and for whom (no secrets)",
		Example: "  mapictl credential list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.loadSelected()
			if err != nil {
				return err
			}
			out := []map[string]any{}
			var rows [][]string
			for _, s := range p.Sections {
				if s.Secure == nil {
					continue
				}
				var names []string
				for _, t := range s.Secure.Tags {
					if tag, err := mapi.ParseHexTag(t); err == nil {
						names = append(names, mapi.DisplayName(tag, s.Scope()))
					}
				}
				sort.Strings(names)
				out = append(out, credentialEntry(s))
				rows = append(rows, []string{s.Name, strings.Join(names, ","), strings.Join(s.Secure.Recipients, ",")})
			}
			if f.jsonOutput() {
				return f.printJSON(out)
			}
			f.table([]string{"SECTION", "FIELDS", "RECIPIENTS"}, rows)
			return nil
		},
	}
}

// credentialEntry is one section's entry of credential list -o json: which
// secure properties it holds and to whom they are sealed, never a value.
func credentialEntry(s *profile.Section) map[string]any {
	tags, recips := []string{}, []string{}
	if s.Secure != nil {
		tags, recips = nonNilStrings(s.Secure.Tags), nonNilStrings(s.Secure.Recipients)
	}
	return map[string]any{"section": s.Name, "tags": tags, "recipients": recips}
}

func newCredentialDeleteCmd(f *factory) *cobra.Command {
	var field string
	cmd := &cobra.Command{
		Use:               "delete SECTION",
		Short:             "Delete a section's credentials, or one field of them",
		Example:           "  mapictl credential delete work\n  mapictl credential delete work --field oauth2-token",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := f.editSection(args[0], func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
				if s.Secure == nil {
					return mapi.Errorf(mapi.NotFound, "section %q has no stored credentials", s.Name)
				}
				if field == "" {
					s.Secure = nil
					return nil
				}
				tag, err := secureField(s, field)
				if err != nil {
					return err
				}
				return p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
					if _, ok := props[tag]; !ok {
						return mapi.Errorf(mapi.NotFound, "section %q has no %s stored", s.Name, field)
					}
					delete(props, tag)
					return nil
				})
			})
			if err != nil {
				return err
			}
			return f.credentialDone(s, "deleted credentials of section "+s.Name)
		},
	}
	cmd.Flags().StringVar(&field, "field", "", "delete only this secure property")
	return cmd
}
