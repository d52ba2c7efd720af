package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
)

type profileApplyOptions struct {
	File             string
	DryRun           bool
	Prune            bool
	AllowCommands    bool
	PlaintextSecrets bool
}

func newProfileApplyCmd(f *factory) *cobra.Command {
	opts := &profileApplyOptions{}
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Create or update a profile from a YAML manifest (declarative provisioning)",
		Long: `Make a profile what a manifest describes (schema: docs/manifest.md). Secrets
come from {env: VAR}, {file: PATH} (relative to the manifest), {stdin: true} or
{command: [ARGV...]}, never literally. Applying the same manifest again writes
nothing. --dry-run prints the plan and writes nothing; secrets show only as
changed or unchanged. A missing variable or file exits 78 and writes nothing.

A manifest may come from someone else: running its {command: ...} sources and
reading a {file: ...} outside its directory ("../", an absolute path or a
symlink that leads out) need --allow-commands, or a yes to a prompt on a
terminal naming each command (argv) or file; without either apply exits 64
(MAPI_E_INVALID_PARAMETER) before anything runs or is written, and a "no" at
the prompt exits 130. --dry-run runs no command, even with --allow-commands:
the plan says where the value would come from. Commands run in the
manifest's directory, without a shell, with the environment minus every
MAPICTL_* variable.`,
		Example: `  mapictl profile apply -f team.yaml --dry-run
  CI_SMTP_PASSWORD=... mapictl profile apply -f ci/mail-profile.yaml
  mapictl profile apply -f team.yaml --allow-commands      # runs {command: [pass, show, ci]}
  mapictl profile export team --secure > backup.yaml && mapictl profile apply -f backup.yaml --plaintext-secrets`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" {
				return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "-f FILE is required (- for standard input)"))
			}
			return runProfileApply(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "manifest file (- for standard input)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan and write nothing")
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "delete sections (and properties of named sections) the manifest does not name")
	cmd.Flags().BoolVar(&opts.AllowCommands, "allow-commands", false,
		"run the manifest's {command: ...} sources and read {file: ...} outside its directory without asking "+
			"(without it: a y/N prompt on a terminal, else exit 64; --dry-run never runs them)")
	cmd.Flags().BoolVar(&opts.PlaintextSecrets, "plaintext-secrets", false, "accept {value: ...} secrets, as 'profile export --secure' writes")
	return cmd
}

func runProfileApply(ctx context.Context, opts *profileApplyOptions, f *factory) error {
	m, dir, err := manifest.LoadSource(opts.File, f.IO.In, manifest.LoadOptions{AllowValues: opts.PlaintextSecrets})
	if err != nil {
		return err
	}
	res := &manifest.Resolver{Dir: dir, Stdin: f.IO.In, Stderr: f.IO.Err, DryRun: opts.DryRun, AllowCommands: opts.AllowCommands,
		Context: ctx}
	if !opts.AllowCommands && f.CanPrompt() {
		res.Confirm = func(what string) (bool, error) { return f.confirm(what + "? [y/N] ") }
	}
	secrets, err := res.ResolveAll(m)
	if err != nil {
		return err
	}
	plan, err := manifest.ApplyToStore(f.Store(), m, secrets, manifest.StoreOptions{DryRun: opts.DryRun, Prune: opts.Prune,
		Identities: f.Identities, Owners: func() ([]string, error) { return f.applierRecipients(opts.DryRun) }})
	if err != nil {
		return err
	}
	if value, ok := plan.DefaultProfile(m, f.defaultProfile()); ok && !opts.DryRun {
		if err := f.setConfigValue("default-profile", value); err != nil {
			return err
		}
	}
	res.Annotate(plan)
	if f.jsonOutput() {
		return f.printJSON(profileApplyJSON{Profile: plan.Profile, Create: plan.Create, DryRun: opts.DryRun,
			Changed: plan.Changed(), Changes: plan.Changes, Warnings: nonNilStrings(plan.Warnings)})
	}
	for _, w := range plan.Warnings {
		f.warnf("%s", w)
	}
	if opts.DryRun {
		f.println("plan (dry run, nothing written):")
	}
	plan.WriteText(f.IO.Out)
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// applierRecipients are the recipients of a profile apply or import
// creates (profile.Store.OwnRecipients), saying so when that made the
// store identity.
func (f *factory) applierRecipients(dryRun bool) ([]string, error) {
	own, created, err := f.Store().OwnRecipients(f.ownKeys(dryRun))
	if created && !f.jsonOutput() {
		f.warnf("created identity %s", f.Store().IdentityPath())
	}
	return own, err
}
