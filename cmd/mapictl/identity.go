package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
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

func newIdentityNewCmd(f *factory) *cobra.Command {
	var withPass, pq bool
	var out string
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
			if out == "" {
				// SPEC §4: never a new store identity while profiles or
				// mail sealed to the old one exist (identity.pub would be
				// replaced and they stranded); checked before any prompt.
				root := f.StoreDir()
				if _, err := os.Lstat(filepath.Join(root, profile.IdentityFile)); errors.Is(err, fs.ErrNotExist) {
					if err := secure.CheckNewStoreIdentity(root); err != nil {
						return err
					}
				}
			}
			var pass []byte
			if withPass {
				var err error
				if pass, err = f.newPassphrase(); err != nil {
					return err
				}
			}
			k, err := secure.GenerateKey(pq)
			if err != nil {
				return err
			}
			path := out
			if out == "" {
				st := f.Store()
				if err := st.Init(); err != nil {
					return err
				}
				if err := st.WriteIdentity(k, pass, nowFunc()); err != nil {
					return err
				}
				path = filepath.Join(st.Root, profile.IdentityFile)
			} else {
				data, err := secure.MarshalIdentityFile(k, pass, nowFunc())
				if err != nil {
					return err
				}
				if err := fsutil.CreateExclusive(out, data); err != nil {
					if os.IsExist(err) {
						return mapi.Errorf(mapi.Collision, "%s already exists", out)
					}
					return mapi.Wrap(mapi.DiskError, err, "write identity")
				}
			}
			if f.jsonOutput() {
				return f.printJSON(map[string]any{"path": path, "recipient": k.Recipient})
			}
			if !f.IO.OutTTY || out != "" {
				f.println(k.Recipient)
			} else {
				f.printf("created %s\npublic key: %s\n", path, k.Recipient)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&withPass, "passphrase", false, "encrypt the identity file with a passphrase")
	cmd.Flags().BoolVar(&pq, "pq", false, "make a post-quantum hybrid key (age1pq1...)")
	cmd.Flags().StringVar(&out, "out", "", "write the identity to this file instead of the store")
	return cmd
}

// newPassphrase reads a new passphrase: $MAPICTL_PASSPHRASE_FD, else a
// prompt asked twice.
func (f *factory) newPassphrase() ([]byte, error) {
	if os.Getenv("MAPICTL_PASSPHRASE_FD") != "" {
		return f.passphrase("")
	}
	if !f.CanPrompt() {
		return nil, mapi.Errorf(mapi.Unconfigured, "no terminal to prompt for a passphrase").
			WithHint("set MAPICTL_PASSPHRASE_FD to a file descriptor that carries it")
	}
	a, err := f.askSecret("Enter passphrase:")
	if err != nil {
		return nil, err
	}
	b, err := f.askSecret("Confirm passphrase:")
	if err != nil {
		return nil, err
	}
	if len(a) == 0 || !bytes.Equal(a, b) {
		return nil, mapi.Errorf(mapi.InvalidParameter, "passphrases are empty or do not match")
	}
	return a, nil
}

func newIdentityShowCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "show",
		Short:   "Print the recipient of the identity in use",
		Example: "  mapictl identity show\n  mapictl -i ci.key identity show",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var recips []string
			usesStore := secure.UsesStoreIdentity(f.identityFlag, os.Getenv)
			if usesStore {
				if pub, err := fsutil.ReadRegular(filepath.Join(f.StoreDir(), profile.RecipientFile)); err == nil {
					if r := strings.TrimSpace(string(pub)); r != "" {
						recips = []string{r}
					}
				}
			}
			if recips == nil {
				ids, err := f.Identities()
				if err != nil {
					return err
				}
				if recips, err = secure.RecipientsOf(ids); err != nil {
					return err
				}
			}
			if f.jsonOutput() {
				return f.printJSON(map[string]any{"recipients": recips})
			}
			for _, r := range recips {
				f.println(r)
			}
			return nil
		},
	}
}
