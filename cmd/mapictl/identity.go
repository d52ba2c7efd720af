package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/term"
)

func newIdentityCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity",
		Short: "Create or show age identities",
		Example: `  mapictl identity new --out ci.key
  mapictl identity new --passphrase
  mapictl identity show`,
	}
	cmd.AddCommand(newIdentityNewCmd(f), newIdentityShowCmd(f))
	return cmd
}

type identityNewOptions struct {
	Passphrase, PQ bool
	Out            string
}

func newIdentityNewCmd(f *factory) *cobra.Command {
	opts := &identityNewOptions{}
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Create a new age identity (the store's, or --out FILE)",
		Long: `Create an X25519 identity (age1..., readable by every age since 1.0), or with
--pq a post-quantum hybrid one (age1pq1...). Without --out it becomes the
store's identity.txt (and identity.pub), which must not exist yet; and not
while the store holds profiles or queued mail sealed to a lost identity.txt
(restore it from your backup instead). With
--passphrase the file is encrypted with a passphrase (scrypt), prompted twice
or read from $MAPICTL_PASSPHRASE_FD.`,
		Example: "  mapictl identity new\n  mapictl identity new --pq --out pq.key\n  mapictl identity new --passphrase",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIdentityNew(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.Passphrase, "passphrase", false, "encrypt the identity file with a passphrase")
	cmd.Flags().BoolVar(&opts.PQ, "pq", false, "make a post-quantum hybrid key (age1pq1...)")
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the identity to this file instead of the store")
	return cmd
}

func runIdentityNew(ctx context.Context, opts *identityNewOptions, f *factory) error {
	if opts.Out == "" {
		// Checked before any prompt (SPEC §4).
		if err := secure.MayCreateStoreIdentity(f.StoreDir()); err != nil {
			return err
		}
	}
	var pass []byte
	if opts.Passphrase {
		var err error
		if pass, err = f.newPassphrase(ctx); err != nil {
			return err
		}
	}
	k, err := secure.GenerateKey(opts.PQ)
	if err != nil {
		return err
	}
	path := opts.Out
	if opts.Out == "" {
		st := f.Store()
		if err := st.Init(); err != nil {
			return err
		}
		if err := st.WriteIdentity(k, pass, nowFunc()); err != nil {
			return err
		}
		path = filepath.Join(st.Root, profile.IdentityFile)
	} else if err := secure.WriteIdentityFile(opts.Out, k, pass, nowFunc()); err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(identityNewJSON{Path: path, Recipient: k.Recipient})
	}
	if !f.IO.OutTTY || opts.Out != "" {
		f.println(k.Recipient)
	} else {
		f.printf("created %s\npublic key: %s\n", path, k.Recipient)
	}
	return nil
}

// identityNewJSON is identity new's output.
type identityNewJSON struct {
	Path      string `json:"path"`
	Recipient string `json:"recipient"`
}

// newPassphrase reads a new passphrase: $MAPICTL_PASSPHRASE_FD, else a
// prompt asked twice (term.AskNewPassphrase).
func (f *factory) newPassphrase(ctx context.Context) ([]byte, error) {
	if os.Getenv("MAPICTL_PASSPHRASE_FD") != "" {
		return f.passphrase("")
	}
	if !f.CanPrompt() {
		return nil, mapi.Errorf(mapi.Unconfigured, "no terminal to prompt for a passphrase").
			WithHint("set MAPICTL_PASSPHRASE_FD to a file descriptor that carries it")
	}
	return term.AskNewPassphrase(ctx, f.prompter())
}

type identityShowOptions struct{}

func newIdentityShowCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "show",
		Short:   "Print the recipient of the identity in use",
		Example: "  mapictl identity show\n  mapictl -i ci.key identity show",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIdentityShow(cmd.Context(), &identityShowOptions{}, f)
		},
	}
}

func runIdentityShow(_ context.Context, _ *identityShowOptions, f *factory) error {
	usesStore := secure.UsesStoreIdentity(f.identityFlag, os.Getenv)
	recips, err := secure.RecipientsInUse(usesStore, f.StoreDir(), f.Identities)
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(identityShowJSON{Recipients: recips})
	}
	for _, r := range recips {
		f.println(r)
	}
	return nil
}

// identityShowJSON is identity show's output.
type identityShowJSON struct {
	Recipients []string `json:"recipients"`
}
