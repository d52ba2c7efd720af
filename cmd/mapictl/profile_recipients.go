package main

import (
	"context"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

func newProfileRecipientsCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "owners NAME [add R | remove R]",
		Aliases: []string{"recipients"},
		Short:   "List, add or remove the owners of a profile",
		Long: `Without an action, list the profile's owners and each section's readers.
Owners read every section's credentials, today's and any created later, and
only they can change the profile. 'add R' makes R an owner: every section's
credentials are re-encrypted to include it. 'remove R' takes R out of the
owners and out of every section's readers, re-encrypts every section's
credentials with a fresh key and rotates the profile's signing key: rotate the
secrets R already saw. A section's own readers are managed with 'section share'.`,
		Example: `  mapictl profile owners team
  mapictl profile owners team add age1...
  mapictl profile owners team remove age1former...`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 || (len(args) == 3 && (args[1] == "add" || args[1] == "remove")) {
				return nil
			}
			return mapi.Errorf(mapi.InvalidParameter, "want NAME, or NAME add R, or NAME remove R")
		},
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &profileOwnersOptions{Name: args[0]}
			if len(args) == 3 {
				opts.Action, opts.Recipient = args[1], args[2]
			}
			return runProfileOwners(cmd.Context(), opts, f)
		},
	}
}

type profileOwnersOptions struct {
	Name      string
	Action    string // "add", "remove", or "" to list
	Recipient string
}

func runProfileOwners(_ context.Context, opts *profileOwnersOptions, f *factory) error {
	if opts.Action == "" {
		p, err := f.LoadProfile(opts.Name)
		if err != nil {
			return err
		}
		return f.printRecipients(p, "", false, nil)
	}
	r, err := secure.NormalizeRecipient(opts.Recipient)
	if err != nil {
		return err
	}
	changed := false
	var resealed []string
	p, err := f.UpdateProfile(opts.Name, func(p *profile.Profile, ids []age.Identity) error {
		var err error
		if opts.Action == "add" {
			changed, err = manifest.AddOwner(p, ids, r)
			return err
		}
		changed, resealed, err = manifest.RemoveOwner(p, ids, r)
		return err
	})
	if err != nil {
		return err
	}
	if opts.Action == "remove" && changed && !f.jsonOutput() {
		seen := "none"
		if len(resealed) > 0 {
			seen = strings.Join(resealed, ", ")
		}
		f.warnf("rotate the secrets %s may have seen (sections: %s); the signing key was rotated", r, seen)
	}
	return f.printRecipients(p, opts.Action, changed, resealed)
}

func (f *factory) printRecipients(p *profile.Profile, action string, changed bool, resealed []string) error {
	if f.jsonOutput() {
		secs := []sectionReadersJSON{}
		for _, s := range p.Sections {
			if len(s.Readers) > 0 {
				secs = append(secs, sectionReadersJSON{Section: s.Name, Readers: s.Readers})
			}
		}
		out := profileOwnersJSON{Name: p.Name, Owners: nonNilStrings(p.Owners), Recipients: nonNilStrings(p.Recipients), Sections: secs}
		if action != "" {
			r := nonNilStrings(resealed)
			out.Changed, out.Resealed = &changed, &r
		}
		return f.printJSON(out)
	}
	if action != "" && !changed {
		f.printf("profile %s: nothing to %s\n", p.Name, action)
		return nil
	}
	var rows [][]string
	for _, r := range p.Owners {
		rows = append(rows, []string{"owner", "every section", r})
	}
	for _, s := range p.Sections {
		for _, r := range s.Readers {
			rows = append(rows, []string{"reader", s.Name, r})
		}
	}
	f.table([]string{"ROLE", "READS", "RECIPIENT"}, rows)
	return nil
}
