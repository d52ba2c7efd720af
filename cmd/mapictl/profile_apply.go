package main

import (
	"os"
	"path/filepath"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
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
			return profileApplyRun(f, opts)
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

func profileApplyRun(f *factory, opts *profileApplyOptions) error {
	lo := manifest.LoadOptions{AllowValues: opts.PlaintextSecrets}
	var m *manifest.Manifest
	var err error
	dir, _ := os.Getwd()
	if opts.File == "-" {
		m, err = manifest.Load(f.IO.In, lo)
	} else {
		m, err = manifest.LoadFile(opts.File, lo)
		if abs, aerr := filepath.Abs(opts.File); aerr == nil {
			dir = filepath.Dir(abs)
		}
	}
	if err != nil {
		return err
	}
	if opts.File == "-" && m.UsesStdin() {
		return mapi.Errorf(mapi.InvalidParameter, "the manifest comes from standard input, so no credential can use {stdin: true}")
	}
	res := &manifest.Resolver{Dir: dir, Stdin: f.IO.In, Stderr: f.IO.Err, DryRun: opts.DryRun, AllowCommands: opts.AllowCommands}
	if !opts.AllowCommands && f.CanPrompt() {
		res.Confirm = func(what string) (bool, error) { return f.confirm(what + "? [y/N] ") }
	}
	secrets, err := res.ResolveAll(m)
	if err != nil {
		return err
	}
	ao := manifest.ApplyOptions{Prune: opts.Prune}
	st := f.Store()
	var plan *manifest.Plan
	switch {
	case st.Exists(m.Profile) && opts.DryRun:
		ids, err := f.Identities()
		if err != nil {
			return err
		}
		p, err := st.Load(m.Profile, ids)
		if err != nil {
			return err
		}
		ao.IDs = ids
		ao.Self, _ = secure.RecipientsOf(ids)
		if plan, err = manifest.Apply(p, m, secrets, ao); err != nil {
			return err
		}
	case st.Exists(m.Profile):
		_, err = f.UpdateProfile(m.Profile, func(p *profile.Profile, ids []age.Identity) error {
			ao.IDs = ids
			ao.Self, _ = secure.RecipientsOf(ids)
			var err error
			plan, err = manifest.Apply(p, m, secrets, ao)
			return err
		})
		if err != nil {
			return err
		}
	default:
		own, err := f.applierRecipients(opts.DryRun)
		if err != nil {
			return err
		}
		p := profile.New(m.Profile, own)
		ao.Self = own
		if plan, err = manifest.Apply(p, m, secrets, ao); err != nil {
			return err
		}
		plan.Create = true
		if len(p.Recipients) == 0 && !opts.DryRun {
			return mapi.Errorf(mapi.InvalidParameter, "profile %q would have no recipient", m.Profile)
		}
		if !opts.DryRun {
			if err := st.Create(p); err != nil {
				return err
			}
		}
	}
	if err := f.applyDefault(m, plan, opts.DryRun); err != nil {
		return err
	}
	res.Annotate(plan)
	return f.printPlan(plan, opts.DryRun)
}

// applyDefault sets (default: true) or clears (default: false, when it is
// this profile) default-profile in config.yaml.
func (f *factory) applyDefault(m *manifest.Manifest, plan *manifest.Plan, dryRun bool) error {
	if m.Default == nil {
		return nil
	}
	cur := f.defaultProfile()
	var old any
	if cur != "" {
		old = cur
	}
	value := ""
	switch {
	case *m.Default && cur != m.Profile:
		value = m.Profile
	case !*m.Default && cur == m.Profile:
	default:
		return nil
	}
	plan.Changes = append(plan.Changes, manifest.Change{Action: manifest.Update, Prop: "default", Old: old, New: value})
	if dryRun {
		return nil
	}
	return f.setConfigValue("default-profile", value)
}

func (f *factory) printPlan(plan *manifest.Plan, dryRun bool) error {
	if f.jsonOutput() {
		return f.printJSON(profileApplyJSON{Profile: plan.Profile, Create: plan.Create, DryRun: dryRun,
			Changed: plan.Changed(), Changes: plan.Changes, Warnings: nonNilStrings(plan.Warnings)})
	}
	for _, w := range plan.Warnings {
		f.warnf("%s", w)
	}
	if dryRun {
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

// applierRecipients are the recipients a new profile is encrypted to for
// the applier. On a dry run in a store without an identity yet, a throwaway
// key stands in for the one a real run creates, so nothing is written.
func (f *factory) applierRecipients(dryRun bool) ([]string, error) {
	st := f.Store()
	usesStore := secure.UsesStoreIdentity(f.identityFlag, os.Getenv)
	if dryRun && usesStore {
		if _, err := os.Lstat(filepath.Join(st.Root, profile.IdentityFile)); err != nil {
			// A dry run fails where the real run would (SPEC §4).
			if err := secure.CheckNewStoreIdentity(st.Root); err != nil {
				return nil, err
			}
			k, err := secure.GenerateKey(false)
			if err != nil {
				return nil, err
			}
			return []string{k.Recipient}, nil
		}
	}
	own, created, err := f.ownRecipients()
	if err != nil {
		return nil, err
	}
	if created && !f.jsonOutput() {
		f.warnf("created identity %s", filepath.Join(st.Root, profile.IdentityFile))
	}
	return own, nil
}
