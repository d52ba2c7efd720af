package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/textsafe"
)

type profileShowOptions struct{ Args []string } // NAME, else the selected profile

func newProfileShowCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "show [NAME]",
		Short:             "Show a profile's sections (never their secrets)",
		Example:           "  mapictl profile show dana\n  mapictl profile show dana -o json",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileShow(cmd.Context(), &profileShowOptions{Args: args}, f)
		},
	}
}

func runProfileShow(_ context.Context, opts *profileShowOptions, f *factory) error {
	name, err := f.profileArg(opts.Args)
	if err != nil {
		return err
	}
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	p, err := f.Store().Inspect(name, ids)
	if err != nil {
		return err
	}
	f.warnUnconfirmed(p)
	if f.jsonOutput() {
		return f.printJSON(profileJSON(p))
	}
	title := p.Name
	if p.Name == f.defaultProfile() {
		title += " (default)"
	}
	f.println(title)
	f.printf("version %d, signing key %s, %s\n", p.Version, p.KeyFingerprint(), trustWord(p))
	for _, o := range p.Owners {
		f.printf("owner: %s\n", o)
	}
	var rows [][]string
	for i, s := range p.Sections {
		branch := "├── "
		if i == len(p.Sections)-1 {
			branch = "└── "
		}
		rows = append(rows, append([]string{branch + s.Name}, sectionSummary(s)...))
		for _, r := range s.Readers {
			rows = append(rows, []string{"    reader: " + r, "", "", "", "", ""})
		}
	}
	f.table(nil, rows)
	return nil
}

// warnUnconfirmed warns that p is unconfirmed, and how to review it.
func (f *factory) warnUnconfirmed(p *profile.Profile) {
	if !p.Trust.Verified {
		f.warnf("profile %q is unconfirmed: %s; review it with 'mapictl profile accept %s'", p.Name, p.Trust.Reason, textsafe.ShellArg(p.Name))
	}
}

// profileArg is the NAME argument, else the selected profile.
func (f *factory) profileArg(args []string) (string, error) {
	if len(args) == 1 {
		return args[0], profile.CheckName("profile", args[0])
	}
	return f.ProfileName()
}

// sectionSummary is the columns of s in the tree `profile show` prints.
func sectionSummary(s *profile.Section) []string {
	if s.Kind == profile.KindGlobal {
		return []string{"", "", "", "", ""}
	}
	creds := "credentials: none"
	if names := s.SecureNames(); names != nil {
		creds = "credentials: " + strings.Join(names, ", ")
	}
	endpoint := s.Endpoint()
	if in := s.InboundEndpoint(); in != "" {
		if endpoint != "" {
			endpoint += ", "
		}
		endpoint += "in: " + in
	}
	return []string{s.Kind, s.Transport(), endpoint, s.Sender(), creds}
}

func trustWord(p *profile.Profile) string {
	if p.Trust != nil && p.Trust.Verified {
		return "verified"
	}
	return "UNCONFIRMED"
}
