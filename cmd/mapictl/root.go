package main

import (
	"github.com/spf13/cobra"
)

const exitStatusHelp = `Exit status (sysexits, as mail tools use them):
  0   success                         69  transport failed permanently
  64  bad flags, names, tags, values  70  internal error
  65  corrupt file or message input   73  already exists
  66  profile, section, field or      74  store could not be read or written
      message not found               75  queued for retry; profile locked
  67  server rejected recipients      77  wrong credentials / no access
  78  credentials missing, no prompt  130 prompt cancelled`

// newRootCmd builds the whole command tree: every run builds all of it
// (building only the command a line names measured under 2% on
// `credential get`, docs/performance.md, and was removed).
func newRootCmd(f *factory) *cobra.Command {
	root := newBareRootCmd(f)
	root.AddCommand(
		newProfileCmd(f),
		newSectionCmd(f),
		newCredentialCmd(f),
		newIdentityCmd(f),
		newPropCmd(f),
		newMessageCmd(f),
		newSessionCmd(f),
		newSpoolCmd(f),
		newSendmailCmd(f),
		newVersionCmd(f),
	)
	if newGenDocsCmd != nil {
		root.AddCommand(newGenDocsCmd(f))
	}
	return root
}

// newGenDocsCmd builds the hidden gen-docs command; it is set only in a
// binary built with -tags gendocs (gendocs.go), so cobra/doc stays out of
// the one users run.
var newGenDocsCmd func(*factory) *cobra.Command

// newBareRootCmd is the root command with its flags and no subcommands.
func newBareRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "mapictl",
		Short: "Encrypted MAPI-style mail profiles, sessions and a durable spooler",
		Long: `mapictl keeps mail transport settings in age-encrypted profiles, each
transport's credentials sealed again to that section's own recipients, logs on
sessions with one identity per transport, and sends mail through a durable
spooler (SMTP, a local Maildir, or a sendmail program).

` + exitStatusHelp,
		SilenceErrors: true,
		SilenceUsage:  true,
		// --version prints what `mapictl version` prints, in text, before
		// any pre-run: cobra handles it once Version is set.
		Version: version,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			f.noteCommandFlags(cmd)
			// cobra checks required and mutually exclusive flags after
			// this hook and returns its bare error (70); checked here,
			// they are bad usage (64), before any work.
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return flagErr(cmd, err)
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return flagErr(cmd, flagGroupError(err))
			}
			if isCompletionRequest(cmd) {
				return f.loadConfig()
			}
			// -o, $MAPICTL_OUTPUT and config.yaml's output: text or json,
			// refused before any work (the config is read, nothing more).
			if err := f.checkOutput(); err != nil {
				return err
			}
			if err := f.loadConfig(); err != nil {
				return err
			}
			if err := f.checkOutput(); err != nil {
				return err
			}
			return f.checkLockTimeout()
		},
	}
	root.SetVersionTemplate("{{mapictlVersionText}}")
	root.Flags().Bool("version", false, "print mapictl's version (as 'mapictl version')")
	root.SetFlagErrorFunc(flagErr)
	pf := root.PersistentFlags()
	pf.StringVar(&f.storeFlag, "store", "", "store directory (env MAPICTL_STORE; default $XDG_CONFIG_HOME/mapictl)")
	pf.StringP("profile", "p", "", "profile name (env MAPICTL_PROFILE; default: default-profile in config.yaml)")
	stringsVarP(pf, &f.identityFlag, "identity", "i", "identity file to decrypt with (repeatable; env MAPICTL_IDENTITY_FILE, or MAPICTL_IDENTITY holding the key; default <store>/identity.txt)")
	pf.StringP("output", "o", "text", "output format: text or json (env MAPICTL_OUTPUT)")
	pf.Bool("no-input", false, "never prompt (env MAPICTL_NO_INPUT)")
	pf.String("config", "", "config file (default <store>/config.yaml)")
	pf.BoolVarP(&f.verbose, "verbose", "v", false, "print the SMTP dialogue (AUTH redacted)")
	pf.String("lock-timeout", "10s", "how long to wait for a profile's writer lock")
	for _, name := range []string{"store", "profile", "output", "no-input", "config", "lock-timeout"} {
		_ = f.v.BindPFlag(name, pf.Lookup(name))
	}
	_ = root.RegisterFlagCompletionFunc("profile", f.completeProfiles)
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))

	return root
}

// isCompletionRequest is whether cmd is cobra's hidden __complete command:
// completion stays quiet whatever the output format.
func isCompletionRequest(cmd *cobra.Command) bool {
	return cmd.Name() == cobra.ShellCompRequestCmd || cmd.Name() == cobra.ShellCompNoDescRequestCmd
}

func (f *factory) completeProfiles(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	_ = f.loadConfig()
	names, _ := f.Store().List()
	return names, cobra.ShellCompDirectiveNoFileComp
}

func (f *factory) completeSections(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	_ = f.loadConfig()
	name, err := f.ProfileName()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	p, err := f.LoadProfile(name)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, s := range p.Sections {
		if s.Kind != "global" {
			out = append(out, s.Name)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
