package main

import (
	"bytes"
	"io"
	"unicode"
	"unicode/utf8"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/term"
)

func newCredentialCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credential",
		Short: "Store, read and delete a section's credentials (its secure range)",
		Example: `  mapictl credential set work --username dana
  printf '%s\n' "$SMTP_PASSWORD" | mapictl credential set work --username ci --password-stdin
  mapictl credential get work`,
	}
	cmd.AddCommand(newCredentialSetCmd(f), newCredentialGetCmd(f), newCredentialListCmd(f), newCredentialDeleteCmd(f))
	return cmd
}

// secureField resolves --field (default password) to a secure tag.
func secureField(s *profile.Section, field string) (mapi.Tag, error) {
	if field == "" {
		return mapi.PrPassword, nil
	}
	t, err := mapi.ParseTag(field, s.Scope())
	if err != nil {
		return 0, err
	}
	if !t.Secure() {
		return 0, mapi.Errorf(mapi.InvalidParameter, "%s is not a secure property (IDs 0x67F0-0x67FF)", field)
	}
	if t.Type() != mapi.PtUnicode && t.Type() != mapi.PtString8 && t.Type() != mapi.PtBinary {
		return 0, mapi.Errorf(mapi.InvalidParameter, "%s: only string and binary secure properties can be set", field)
	}
	return t, nil
}

func newCredentialSetCmd(f *factory) *cobra.Command {
	var username, field string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "set SECTION",
		Short: "Store a secret (and optionally the username) in a section's secure range",
		Long: `Store a secret. It is read from a no-echo prompt on the terminal (asked twice),
or from standard input with --password-stdin (one trailing newline removed).
It never comes from the command line. --username is not a secret.`,
		Example: `  mapictl credential set work --username dana
  mapictl credential set ci --password-stdin < secret.txt
  mapictl credential set api --field oauth2-token --password-stdin`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Resolve the field against the section before reading any secret.
			s, err := f.loadSection(args[0])
			if err != nil {
				return err
			}
			tag, err := secureField(s, field)
			if err != nil {
				return err
			}
			if tag == mapi.PrUsername {
				return mapi.Errorf(mapi.InvalidParameter, "the username is not a secret: give it with --username")
			}
			secret, err := f.readSecret(fromStdin, mapi.DisplayName(tag, s.Scope()), args[0])
			if err != nil {
				return err
			}
			s, err = f.editSection(args[0], func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
				return p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
					if tag.Type() == mapi.PtBinary {
						props[tag] = secret
					} else {
						props[tag] = string(secret)
					}
					if username != "" {
						props[mapi.PrUsername] = username
					}
					return nil
				})
			})
			if err != nil {
				return err
			}
			return f.credentialDone(s, "stored credentials of section "+s.Name)
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "logon name (not a secret)")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the secret from standard input")
	cmd.Flags().StringVar(&field, "field", "", "secure property to set (default password)")
	return cmd
}

// readSecret reads a secret from stdin (--password-stdin) or a no-echo
// prompt asked twice; with neither possible it is MAPI_E_UNCONFIGURED (78),
// as for every secret with no terminal to be asked on (SPEC §4, §9), with
// the hint naming --password-stdin.
func (f *factory) readSecret(fromStdin bool, what, section string) ([]byte, error) {
	if fromStdin {
		b, err := io.ReadAll(io.LimitReader(f.IO.In, mapi.MaxValueLen+1))
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "read standard input")
		}
		if len(b) > mapi.MaxValueLen {
			return nil, mapi.Errorf(mapi.InvalidParameter, "secret on standard input is too long")
		}
		b = term.TrimNewline(b)
		if len(b) == 0 {
			return nil, mapi.Errorf(mapi.InvalidParameter, "empty secret on standard input")
		}
		return b, nil
	}
	if !f.CanPrompt() {
		return nil, mapi.Errorf(mapi.Unconfigured, "no terminal to prompt for the %s", what).
			WithHint("pipe it in with --password-stdin, e.g. printf '%s\\n' \"$SECRET\" | mapictl credential set " + section + " --password-stdin")
	}
	for range 3 {
		a, err := f.askSecret(capitalize(what) + ":")
		if err != nil {
			return nil, err
		}
		b, err := f.askSecret("Confirm " + what + ":")
		if err != nil {
			return nil, err
		}
		if len(a) == 0 {
			f.warnf("empty %s, try again", what)
			continue
		}
		if bytes.Equal(a, b) {
			return a, nil
		}
		f.warnf("the two entries differ, try again")
	}
	return nil, mapi.Errorf(mapi.InvalidParameter, "the %s was not confirmed", what)
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

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
