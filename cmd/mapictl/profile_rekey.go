package main

import (
	"context"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/profile"
)

func newProfileRekeyCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "rekey NAME",
		Short: "Re-encrypt every layer of a profile with fresh keys",
		Long: `Re-encrypt the profile and every section's credentials with fresh file keys,
to the same owners and readers, and sign it with a fresh signing key (after a
lost or replaced key, together with 'profile owners NAME remove R'). Only an
owner can rekey; other stores accept the new signing key with 'profile accept'.`,
		Example:           "  mapictl profile rekey team",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileRekey(cmd.Context(), &profileRekeyOptions{Name: args[0]}, f)
		},
	}
}

type profileRekeyOptions struct{ Name string }

func runProfileRekey(_ context.Context, opts *profileRekeyOptions, f *factory) error {
	var resealed []string
	p, err := f.UpdateProfile(opts.Name, func(p *profile.Profile, ids []age.Identity) error {
		var err error
		resealed, err = manifest.Rekey(p, ids)
		return err
	})
	if err != nil {
		return err
	}
	fp := p.KeyFingerprint()
	if f.jsonOutput() {
		return f.printJSON(profileRekeyJSON{Name: opts.Name, Resealed: nonNilStrings(resealed), Skipped: []string{}, KeyFingerprint: fp})
	}
	f.printf("rekeyed profile %s (%d section credentials re-encrypted; signing key %s)\n", opts.Name, len(resealed), fp)
	return nil
}
