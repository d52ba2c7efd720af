package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/textsafe"
)

type profileImportOptions struct {
	PRF  string
	Name string
	Vars []string // --var NAME: variables to expand besides prf.DefaultVars
}

func newProfileImportCmd(f *factory) *cobra.Command {
	opts := &profileImportOptions{}
	cmd := &cobra.Command{
		Use:   "import --prf FILE [--name NAME] [--var NAME]...",
		Short: "Create or update a profile from an Outlook .PRF file",
		Long: `Import an Outlook profile (PRF) file: its services become sections (address
books, stores and other services, with the mapped property tags) and its
internet accounts become smtp transport sections. [General] ProfileName,
DefaultProfile, OverwriteProfile (Yes, No, Append) and
ModifyDefaultProfileIfPresent are honoured; --name overrides ProfileName and
ModifyDefaultProfileIfPresent. A PRF carries no passwords: store them with
'mapictl credential set'. Appending the same PRF again writes nothing and
says so ("profile NAME is up to date"; -o json: "changed": false).

%VAR% placeholders are expanded from the environment only for USERNAME,
USERDOMAIN, COMPUTERNAME, USERPROFILE and the names given with --var (a
PRF from elsewhere must not read your environment into a profile, or into
a host name looked up in DNS); any other %VAR% stays as written. A MAPICTL_*
name is never expanded: --var MAPICTL_... exits 64. Each expansion is
listed ("expanded %USERNAME% in [Account1] EmailAddress"; -o json:
"expanded"), by name, never by value. Each placeholder left as written is
a warning naming the PRF key and how to have it expanded ("%SECRETHOST% in
[Account1] SMTPServer is not expanded ...: set SECRETHOST in the
environment and pass --var SECRETHOST"; -o json: "unexpanded", and no
warning line).

A key a section repeats with the same value, as the Office Customization
Tool writes [IMAP_I_Mail], is read once (the first, as Windows does); -v
names each repeat. A key repeated with a different value, or a [section]
repeated, is ambiguous and refused (65).`,
		Example: `  mapictl profile import --prf outlook.prf --name corp
  CORP_DOMAIN=corp.example mapictl profile import --prf outlook.prf --var CORP_DOMAIN
  mapictl profile import --prf outlook.prf -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.PRF == "" {
				return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--prf FILE is required"))
			}
			if opts.Name != "" {
				if err := profile.CheckName("profile", opts.Name); err != nil {
					return err
				}
			}
			for _, v := range opts.Vars {
				if err := prf.CheckVar(v); err != nil {
					return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--var: %s", err.Error()))
				}
			}
			return runProfileImport(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVar(&opts.PRF, "prf", "", "Outlook profile (.prf) file")
	cmd.Flags().StringVar(&opts.Name, "name", "", "profile name (overrides ProfileName and ModifyDefaultProfileIfPresent)")
	cmd.Flags().StringArrayVar(&opts.Vars, "var", nil, "also expand %NAME% from the environment (repeatable; never a MAPICTL_* name)")
	return cmd
}

func runProfileImport(_ context.Context, opts *profileImportOptions, f *factory) error {
	var warn func(string)
	if f.verbose {
		warn = func(msg string) { f.warnf("%s", msg) }
	}
	file, expanded, err := manifest.ReadPRF(opts.PRF, opts.Vars, warn)
	if err != nil {
		return err
	}
	st := f.Store()
	name, mode, err := manifest.PRFTarget(file, opts.Name, f.defaultProfile(), st.Exists)
	if err != nil {
		return err
	}
	sum, how, err := manifest.ImportToStore(st, name, mode, file, manifest.StoreOptions{Identities: f.Identities,
		Owners: func() ([]string, error) { return f.applierRecipients(false) }})
	if err != nil {
		return err
	}
	if file.DefaultProfile && f.defaultProfile() != name {
		if err := f.setConfigValue("default-profile", name); err != nil {
			return err
		}
		sum.Changed = true
	}
	if f.jsonOutput() {
		return f.printJSON(profileImportJSON{Profile: name, Mode: how, Default: file.DefaultProfile,
			Accounts: sum.Accounts, Services: sum.Services, Expanded: expanded, Changed: sum.Changed,
			Unexpanded: nonNilExpansions(file.Unexpanded)})
	}
	for _, e := range file.Unexpanded {
		f.warnf("%%%s%% in [%s] %s is not expanded and stays as written: %s", textsafe.QuoteControl(e.Name),
			textsafe.QuoteControl(e.Section), textsafe.QuoteControl(e.Key), prf.SupplyHint(textsafe.QuoteControl(e.Name)))
	}
	f.println(sum.Line())
	if !sum.Changed {
		f.printf("profile %s is up to date: nothing written\n", name)
	}
	for _, e := range expanded {
		f.printf("expanded %%%s%% in [%s] %s\n", textsafe.QuoteControl(e.Name), textsafe.QuoteControl(e.Section), textsafe.QuoteControl(e.Key))
	}
	for _, a := range sum.Accounts {
		fmt.Fprintf(f.IO.Err, "mapictl: hint: the PRF carries no passwords; run 'mapictl -p %s credential set %s'\n", textsafe.ShellArg(name), textsafe.ShellArg(a.Section))
	}
	return nil
}

func nonNilExpansions(e []prf.Expansion) []prf.Expansion {
	if e == nil {
		return []prf.Expansion{}
	}
	return e
}
