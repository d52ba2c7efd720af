package main

import (
	"context"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/term"
	"github.com/mapictl/mapictl/internal/textsafe"
)

func newCredentialCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credential",
		Short: "Store, read and delete a section's credentials (its secure range); sign in with OAuth 2.0",
		Example: `  mapictl credential set work --username dana
  printf '%s\n' "$SMTP_PASSWORD" | mapictl credential set work --username ci --password-stdin
  mapictl credential get work
  mapictl credential oauth2 work`,
	}
	cmd.AddCommand(newCredentialSetCmd(f), newCredentialGetCmd(f), newCredentialListCmd(f), newCredentialDeleteCmd(f),
		newCredentialOAuth2Cmd(f))
	return cmd
}

type credentialSetOptions struct {
	Section, Username, Field string
	FromStdin, Inbound       bool
}

func newCredentialSetCmd(f *factory) *cobra.Command {
	opts := &credentialSetOptions{}
	cmd := &cobra.Command{
		Use:   "set SECTION",
		Short: "Store a secret (and optionally the username) in a section's secure range",
		Long: `Store a secret. It is read from a no-echo prompt on the terminal (asked twice),
or from standard input with --password-stdin (one trailing newline removed).
It never comes from the command line. --username is not a secret.
With --inbound they are the inbound side's own (inbound.password and
inbound.username), for a server that takes another logon than the outgoing
one; without them the inbound side logs on with the section's.`,
		Example: `  mapictl credential set work --username dana
  mapictl credential set ci --password-stdin < secret.txt
  mapictl credential set gmail --inbound --username dana@example.com
  mapictl credential set api --field oauth2-token --password-stdin`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Section = args[0]
			return runCredentialSet(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVar(&opts.Username, "username", "", "logon name (not a secret)")
	cmd.Flags().BoolVar(&opts.FromStdin, "password-stdin", false, "read the secret from standard input")
	cmd.Flags().StringVar(&opts.Field, "field", "", "secure property to set (default password)")
	_ = cmd.RegisterFlagCompletionFunc("field", completeSecureFields)
	cmd.Flags().BoolVar(&opts.Inbound, "inbound", false, "store the inbound side's own password (and --username as inbound.username)")
	cmd.MarkFlagsMutuallyExclusive("inbound", "field")
	return cmd
}

func runCredentialSet(ctx context.Context, opts *credentialSetOptions, f *factory) error {
	// Resolve the field against the section before reading any secret.
	s, err := f.loadSection(opts.Section)
	if err != nil {
		return err
	}
	field, userTag := opts.Field, mapi.PrUsername
	if opts.Inbound {
		field, userTag = "inbound.password", mapi.PrInboundUsername
	}
	tag, err := s.SecretField(field)
	if err != nil {
		return err
	}
	secret, err := f.readSecret(ctx, opts.FromStdin, mapi.DisplayName(tag, s.Scope()), opts.Section)
	if err != nil {
		return err
	}
	s, err = f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		return p.StoreSecretAs(s, ids, tag, secret, userTag, opts.Username)
	})
	if err != nil {
		return err
	}
	return f.credentialDone(s, "stored credentials of section "+s.Name)
}

// readSecret reads a secret from stdin (--password-stdin) or a no-echo
// prompt asked twice; with neither possible it is MAPI_E_UNCONFIGURED (78),
// as for every secret with no terminal to be asked on (SPEC §4, §9), with
// the hint naming --password-stdin.
func (f *factory) readSecret(ctx context.Context, fromStdin bool, what, section string) ([]byte, error) {
	if fromStdin {
		return term.ReadSecret(f.IO.In, mapi.MaxValueLen)
	}
	if !f.CanPrompt() {
		return nil, mapi.Errorf(mapi.Unconfigured, "no terminal to prompt for the %s", what).
			WithHint("pipe it in with --password-stdin, e.g. printf '%s\\n' \"$SECRET\" | mapictl credential set " + textsafe.ShellArg(section) + " --password-stdin")
	}
	return term.AskNewSecret(ctx, f.prompter(), what, f.warnf)
}

// credentialDone prints what credential set and delete leave: with -o json
// one entry as credential list prints it ({section, tags, recipients}: a
// section is "section" where it is a reference, SPEC §7).
func (f *factory) credentialDone(s *profile.Section, text string) error {
	if f.jsonOutput() {
		return f.printJSON(credentialEntry(s))
	}
	f.println(text)
	return nil
}
