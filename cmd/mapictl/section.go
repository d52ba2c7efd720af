package main

import (
	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/profile"
)

func newSectionCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "section",
		Short: "Manage a profile's sections (message services and providers)",
		Example: `  mapictl section create work --transport smtp --set smtp.host=smtp.corp.example --set email=dana@corp.example
  mapictl section list
  mapictl section open work --prop smtp.host`,
	}
	cmd.AddCommand(newSectionCreateCmd(f), newSectionListCmd(f), newSectionOpenCmd(f),
		newSectionSetCmd(f), newSectionUnsetCmd(f), newSectionDeleteCmd(f),
		newSectionDefaultCmd(f), newSectionOrderCmd(f),
		newSectionShareCmd(f, false), newSectionShareCmd(f, true))
	return cmd
}

// editSection loads the profile under its lock and runs fn on one section.
func (f *factory) editSection(section string, fn func(p *profile.Profile, s *profile.Section, ids []age.Identity) error) (*profile.Section, error) {
	name, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	if err := profile.CheckName("section", section); err != nil {
		return nil, err
	}
	var sec *profile.Section
	_, err = f.UpdateProfile(name, func(p *profile.Profile, ids []age.Identity) error {
		s, err := p.Section(section)
		if err != nil {
			return err
		}
		sec = s
		return fn(p, s, ids)
	})
	return sec, err
}

// sectionDone prints what a section command that changed s leaves: with
// -o json the section, else text.
func (f *factory) sectionDone(s *profile.Section, text string) error {
	if f.jsonOutput() {
		return f.printJSON(sectionJSON(s))
	}
	f.println(text)
	return nil
}
