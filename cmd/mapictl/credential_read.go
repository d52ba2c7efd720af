package main

import (
	"context"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// credentialOptions are the arguments of credential get and delete.
type credentialOptions struct{ Section, Field string }

func newCredentialGetCmd(f *factory) *cobra.Command {
	opts := &credentialOptions{}
	cmd := &cobra.Command{
		Use:   "get SECTION",
		Short: "Print one secret of a section (default: the password)",
		Long: `Print the value alone and a newline, or with -o json an object. Credentials
whose section settings changed since they were stored are refused (77).`,
		Example:           "  mapictl credential get work\n  mapictl credential get work --field username\n  mapictl credential get work -o json",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Section = args[0]
			return runCredentialGet(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVar(&opts.Field, "field", "", "secure property to print (default password)")
	_ = cmd.RegisterFlagCompletionFunc("field", completeSecureFields)
	return cmd
}

func runCredentialGet(_ context.Context, opts *credentialOptions, f *factory) error {
	s, err := f.loadSection(opts.Section)
	if err != nil {
		return err
	}
	tag, err := s.SecureField(opts.Field)
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
	v, err := c.Field(s, tag)
	if err != nil {
		return err
	}
	switch {
	case f.jsonOutput() && opts.Field != "":
		return f.printJSON(credentialFieldJSON{Section: s.Name, Field: mapi.DisplayName(tag, s.Scope()), Value: mapi.JSONValue(v)})
	case f.jsonOutput():
		user, _ := c.Props[mapi.PrUsername].(string)
		return f.printJSON(credentialGetJSON{Section: s.Name, Username: user, Password: mapi.JSONValue(v)})
	}
	f.println(mapi.FormatValue(tag, v))
	return nil
}

func newCredentialListCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List which sections hold credentials, and for whom (no secrets)",
		Example: "  mapictl credential list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCredentialList(cmd.Context(), &credentialOptions{}, f)
		},
	}
}

func runCredentialList(_ context.Context, _ *credentialOptions, f *factory) error {
	p, err := f.loadSelected()
	if err != nil {
		return err
	}
	out := []credentialEntryJSON{}
	var rows [][]string
	for _, s := range p.Sections {
		if s.Secure != nil {
			out = append(out, credentialEntry(s))
			rows = append(rows, []string{s.Name, strings.Join(s.SecureFieldNames(), ","), strings.Join(s.Secure.Recipients, ",")})
		}
	}
	if f.jsonOutput() {
		return f.printJSON(out)
	}
	f.table([]string{"SECTION", "FIELDS", "RECIPIENTS"}, rows)
	return nil
}

func newCredentialDeleteCmd(f *factory) *cobra.Command {
	opts := &credentialOptions{}
	cmd := &cobra.Command{
		Use:   "delete SECTION",
		Short: "Delete a section's credentials, or one field of them",
		Long: `Delete a section's credentials (its secure range), or with --field one field of
them. Without --field, this store's OAuth 2.0 tokens of the section (those of
'credential oauth2') are deleted too.`,
		Example:           "  mapictl credential delete work\n  mapictl credential delete work --field oauth2-token",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Section = args[0]
			return runCredentialDelete(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVar(&opts.Field, "field", "", "delete only this secure property")
	_ = cmd.RegisterFlagCompletionFunc("field", completeSecureFields)
	return cmd
}

func runCredentialDelete(_ context.Context, opts *credentialOptions, f *factory) error {
	tokens := "" // without --field: this store's OAuth 2.0 token file of the section
	s, err := f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		if opts.Field == "" {
			tokens = account.TokenFile(f.StoreDir(), p.UID, s.UID)
		}
		return p.DeleteCredentials(s, ids, opts.Field)
	})
	if tokens != "" && (err == nil || mapi.IsCode(err, mapi.NotFound)) {
		removed, rerr := account.RemoveTokens(tokens)
		if rerr != nil {
			return rerr
		}
		if err != nil && removed {
			// No stored credentials, but a sign-in: that is what went.
			return f.credentialDone(s, "deleted the OAuth 2.0 tokens of section "+s.Name+" in this store")
		}
	}
	if err != nil {
		return err
	}
	return f.credentialDone(s, "deleted credentials of section "+s.Name)
}
