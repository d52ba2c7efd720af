package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

type profileExportOptions struct {
	Name   string
	Format string
	Secure bool
	Force  bool
}

func newProfileExportCmd(f *factory) *cobra.Command {
	opts := &profileExportOptions{}
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Print a profile as a manifest (without secrets unless --secure)",
		Long: `Print the manifest form of a profile (schema: docs/manifest.md); 'profile apply'
of it recreates the profile. The username is exported, other secrets only with
--secure, as {value: ...} entries that apply accepts with --plaintext-secrets.
--secure output goes to a file or a pipe, never to a terminal without --force.`,
		Example: `  mapictl profile export team > team.yaml
  mapictl profile export team --format json
  mapictl profile export team --secure > backup.yaml   # keep it out of git`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if opts.Format == "" && f.jsonOutput() {
				opts.Format = "json"
			}
			if opts.Format == "" {
				opts.Format = "yaml"
			}
			if opts.Format != "yaml" && opts.Format != "json" {
				return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--format is yaml or json"))
			}
			return runProfileExport(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "", "yaml (default) or json (the default with -o json)")
	cmd.Flags().BoolVar(&opts.Secure, "secure", false, "include secrets in plain text")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "with --secure, write to a terminal anyway")
	return cmd
}

func runProfileExport(_ context.Context, opts *profileExportOptions, f *factory) error {
	if opts.Secure && f.IO.OutTTY && !opts.Force {
		return mapi.Errorf(mapi.InvalidParameter, "refusing to print secrets to a terminal").
			WithHint("redirect the output to a file or a pipe, e.g. 'mapictl profile export " + textsafe.ShellArg(opts.Name) + " --secure > backup.yaml', or pass --force")
	}
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	p, err := f.Store().Load(opts.Name, ids)
	if err != nil {
		return err
	}
	m, err := manifest.Export(p, manifest.ExportOptions{IDs: ids, Secure: opts.Secure})
	if err != nil {
		return err
	}
	if f.defaultProfile() == p.Name {
		def := true
		m.Default = &def
	}
	var out []byte
	if opts.Format == "json" {
		out, err = m.EncodeJSON()
	} else {
		out, err = m.EncodeYAML()
	}
	if err != nil {
		return err
	}
	_, err = f.IO.Out.Write(out)
	return err
}
