package main

import (
	"context"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

type sectionShareOptions struct {
	Section, Recipient string
	Unshare            bool
}

// newSectionShareCmd builds `section share` or, with unshare, `section unshare`.
func newSectionShareCmd(f *factory, unshare bool) *cobra.Command {
	opts := &sectionShareOptions{Unshare: unshare}
	cmd := &cobra.Command{
		Use:   "share SECTION --recipient R",
		Short: "Make a recipient a reader of one section (its credentials and the profile's settings)",
		Long: `Make an age or SSH recipient a reader of a section: its key can then read the
profile's settings and this section's credentials, those stored now and later,
but no other section's. Only an owner shares; sections created later are not
shared with anyone but the owners.`,
		Example:           "  mapictl section share smtp-ci --recipient age1...",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Section = args[0]; opts.Recipient == "" {
				return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--recipient is required"))
			}
			return runSectionShare(cmd.Context(), opts, f)
		},
	}
	if unshare {
		cmd.Use = "unshare SECTION --recipient R"
		cmd.Short = "Take a reader out of a section (credentials re-encrypted with a fresh key)"
		cmd.Long = `Remove a reader from a section and re-encrypt its credentials with a fresh key.
The recipient keeps reading the profile's settings only while it reads another
section. Rotate the secrets it already saw.`
		cmd.Example = "  mapictl section unshare smtp-ci --recipient age1..."
	}
	cmd.Flags().StringVar(&opts.Recipient, "recipient", "", "age or SSH recipient")
	return cmd
}

func runSectionShare(_ context.Context, opts *sectionShareOptions, f *factory) error {
	r, err := secure.NormalizeRecipient(opts.Recipient)
	if err != nil {
		return err
	}
	changed := false
	s, err := f.editSection(opts.Section, func(p *profile.Profile, s *profile.Section, ids []age.Identity) error {
		var err error
		if opts.Unshare {
			changed, err = manifest.Unshare(p, s, ids, r)
		} else {
			changed, err = manifest.Share(p, s, ids, r)
		}
		return err
	})
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(sectionShareJSON{Section: s.Name, Recipient: r, Changed: changed,
			Readers: nonNilStrings(s.Readers)})
	}
	switch {
	case opts.Unshare && changed:
		f.printf("removed %s from the credentials of section %s\n", r, s.Name)
		f.warnf("rotate the secrets of section %q: the removed recipient may have seen them", s.Name)
	case opts.Unshare:
		f.printf("%s does not read the credentials of section %s\n", r, s.Name)
	case changed:
		f.printf("shared section %s with %s\n", s.Name, r)
	default:
		f.printf("%s already reads section %s\n", r, s.Name)
	}
	return nil
}
