package main

import (
	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

func init() {
	extraProfileCommands = append(extraProfileCommands, newProfileRecipientsCmd)
}

func newProfileRecipientsCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "recipients NAME [add R | remove R]",
		Short: "List, add or remove the readers of a profile",
		Long: `Without an action, list the profile's recipients and those of each section's
credentials. 'add R' makes R a reader of the profile's settings (and of
credentials stored from then on); 'remove R' takes R out of the profile and out
of every section's credentials, re-encrypting each with a fresh key: rotate
the secrets R already saw.`,
		Example: `  mapictl profile recipients team
  mapictl profile recipients team add age1...
  mapictl profile recipients team remove age1former...`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 || (len(args) == 3 && (args[1] == "add" || args[1] == "remove")) {
				return nil
			}
			return mapi.Errorf(mapi.InvalidParameter, "want NAME, or NAME add R, or NAME remove R")
		},
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if len(args) == 1 {
				p, err := f.LoadProfile(name)
				if err != nil {
					return err
				}
				return f.printRecipients(p, "", false, nil)
			}
			r, err := secure.NormalizeRecipient(args[2])
			if err != nil {
				return err
			}
			changed := false
			var resealed []string
			p, err := f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
				var err error
				if args[1] == "add" {
					changed, err = manifest.AddRecipient(p, r)
					return err
				}
				before := len(p.Recipients)
				resealed, err = manifest.RemoveRecipient(p, ids, r)
				changed = len(resealed) > 0 || len(p.Recipients) != before
				return err
			})
			if err != nil {
				return err
			}
			if args[1] == "remove" && changed && !f.jsonOutput() {
				f.warnf("rotate the secrets %s may have seen (sections: %s)", r, joinOr(resealed, "none"))
			}
			return f.printRecipients(p, args[1], changed, resealed)
		},
	}
}

func joinOr(list []string, empty string) string {
	if len(list) == 0 {
		return empty
	}
	out := list[0]
	for _, s := range list[1:] {
		out += ", " + s
	}
	return out
}

func (f *factory) printRecipients(p *profile.Profile, action string, changed bool, resealed []string) error {
	if f.jsonOutput() {
		secs := []map[string]any{}
		for _, s := range p.Sections {
			if s.Secure != nil {
				secs = append(secs, map[string]any{"name": s.Name, "recipients": nonNilStrings(s.Secure.Recipients)})
			}
		}
		out := map[string]any{"name": p.Name, "recipients": nonNilStrings(p.Recipients), "sections": secs}
		if action != "" {
			out["changed"], out["resealed"] = changed, nonNilStrings(resealed)
		}
		return f.printJSON(out)
	}
	if action != "" && !changed {
		f.printf("profile %s: nothing to %s\n", p.Name, action)
		return nil
	}
	var rows [][]string
	for _, r := range p.Recipients {
		rows = append(rows, []string{"profile", r})
	}
	for _, s := range p.Sections {
		if s.Secure != nil {
			for _, r := range s.Secure.Recipients {
				rows = append(rows, []string{s.Name, r})
			}
		}
	}
	f.table([]string{"READS", "RECIPIENT"}, rows)
	return nil
}
