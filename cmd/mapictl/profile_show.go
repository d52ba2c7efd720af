package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

func newProfileShowCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:               "show [NAME]",
		Short:             "Show a profile's sections (never their secrets)",
		Example:           "  mapictl profile show dana\n  mapictl profile show dana -o json",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := f.profileArg(args)
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
			if !p.Trust.Verified {
				f.warnf("profile %q is unconfirmed: %s; review it with 'mapictl profile accept %s'", name, p.Trust.Reason, name)
			}
			if f.jsonOutput() {
				return f.printJSON(profileJSON(p))
			}
			title := p.Name
			if p.Name == f.defaultProfile() {
				title += " (default)"
			}
			f.println(title)
			f.printf("version %d, signing key %s, %s\n", p.Version, keyFingerprint(p), trustWord(p))
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
		},
	}
}

// profileArg is the NAME argument, else the selected profile.
func (f *factory) profileArg(args []string) (string, error) {
	if len(args) == 1 {
		return args[0], profile.CheckName("profile", args[0])
	}
	return f.ProfileName()
}

func sectionSummary(s *profile.Section) []string {
	if s.Kind == profile.KindGlobal {
		return []string{"", "", "", "", ""}
	}
	where := ""
	if s.Kind == profile.KindTransport {
		switch s.Transport() {
		case "smtp":
			sec := s.String(mapi.PrSMTPSecurity)
			if sec == "" {
				sec = "starttls"
			}
			where = fmt.Sprintf("%s:%d %s", s.String(mapi.PrSMTPHost), smtpPort(s), sec)
		case "maildir":
			where = s.String(mapi.PrMaildirPath)
			if where == "" {
				where = "<store>/mail"
			}
		case "sendmail":
			where = s.String(mapi.PrSendmailPath)
			if where == "" {
				where = "/usr/sbin/sendmail"
			}
		}
	}
	ident := ""
	if e := s.String(mapi.PrEmailAddress); e != "" {
		ident = "<" + e + ">"
		if d := s.String(mapi.PrDisplayName); d != "" {
			ident = d + " " + ident
		}
	}
	creds := "credentials: none"
	if s.Secure != nil {
		var names []string
		for _, t := range s.Secure.Tags {
			if tag, err := mapi.ParseHexTag(t); err == nil {
				names = append(names, mapi.DisplayName(tag, s.Scope()))
			}
		}
		creds = "credentials: " + strings.Join(names, ", ")
	}
	return []string{s.Kind, s.Transport(), where, ident, creds}
}

func smtpPort(s *profile.Section) int32 {
	if p := s.Long(mapi.PrSMTPPort, 0); p != 0 {
		return p
	}
	switch s.String(mapi.PrSMTPSecurity) {
	case "tls":
		return 465
	case "none":
		return 25
	}
	return 587
}

// keyFingerprint is the fingerprint of the key p claims to be signed with.
func keyFingerprint(p *profile.Profile) string {
	if p.Signing == nil {
		return ""
	}
	return secure.Fingerprint(p.Signing.Key)
}

func trustWord(p *profile.Profile) string {
	if p.Trust != nil && p.Trust.Verified {
		return "verified"
	}
	return "UNCONFIRMED"
}
