package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

type profileCreateOptions struct {
	Name           string
	Recipients     []string
	RecipientsFile string
	Default        bool
}

func newProfileCreateCmd(f *factory) *cobra.Command {
	opts := &profileCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a profile holding only its global section",
		Long: `Create a profile. The first profile of a store also creates the store's
default identity (identity.txt, identity.pub). You and any --recipient given
are its owners: they read every section and only they can change it. The
profile is signed with a fresh signing key that this store pins (share a
section with others with 'section share').`,
		Example: `  mapictl profile create dana --default
  mapictl profile create team --recipient age1... --recipients-file admins.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return profileCreateRun(f, opts)
		},
	}
	stringsVarP(cmd.Flags(), &opts.Recipients, "recipient", "", "also make this age or SSH recipient an owner (reads every section, can change the profile; repeatable)")
	cmd.Flags().StringVar(&opts.RecipientsFile, "recipients-file", "", "also make the recipients listed in this file owners")
	cmd.Flags().BoolVar(&opts.Default, "default", false, "make it the default profile")
	return cmd
}

func profileCreateRun(f *factory, opts *profileCreateOptions) error {
	if err := profile.CheckName("profile", opts.Name); err != nil {
		return err
	}
	extra, err := resolveRecipients(opts.Recipients, opts.RecipientsFile)
	if err != nil {
		return err
	}
	st := f.Store()
	if st.Exists(opts.Name) {
		return mapi.Errorf(mapi.Collision, "profile %q already exists", opts.Name)
	}
	own, created, err := f.ownRecipients()
	if err != nil {
		return err
	}
	recips := own
	for _, r := range extra {
		if !slices.Contains(recips, r) {
			recips = append(recips, r)
		}
	}
	if err := secure.CheckMix(recips); err != nil {
		return err
	}
	p := profile.New(opts.Name, recips)
	if err := st.Create(p); err != nil {
		return err
	}
	if opts.Default {
		if err := f.setConfigValue("default-profile", opts.Name); err != nil {
			return err
		}
	}
	if f.jsonOutput() {
		return f.printJSON(profileCreateJSON{Name: p.Name, UID: p.UID, Owners: p.Owners, Recipients: p.Recipients,
			KeyFingerprint: keyFingerprint(p),
			Default:        opts.Default, Path: st.Path(p.Name), IdentityCreated: created})
	}
	if created {
		fmt.Fprintf(f.IO.Err, "mapictl: created identity %s (keep a copy: it opens your profiles)\n",
			filepath.Join(st.Root, profile.IdentityFile))
	}
	f.printf("created profile %s\n", p.Name)
	return nil
}

// resolveRecipients parses --recipient values and a --recipients-file.
func resolveRecipients(list []string, file string) ([]string, error) {
	var out []string
	for _, r := range list {
		n, err := secure.NormalizeRecipient(r)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if file != "" {
		rs, err := secure.ParseRecipientsFile(file)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// ownRecipients returns the recipients of the identities in use. With no
// identity given and none in the store yet, it creates the store identity
// (identity.txt and identity.pub) and reports created; but never while the
// store holds profiles or queued mail sealed to an identity.txt that went
// missing (SPEC §4): that is NoAccess naming the recipient they need.
func (f *factory) ownRecipients() (recips []string, created bool, err error) {
	st := f.Store()
	usesStore := secure.UsesStoreIdentity(f.identityFlag, os.Getenv)
	idPath := filepath.Join(st.Root, profile.IdentityFile)
	if usesStore {
		if _, err := os.Lstat(idPath); errors.Is(err, fs.ErrNotExist) {
			if err := secure.CheckNewStoreIdentity(st.Root); err != nil {
				return nil, false, err
			}
			if err := st.Init(); err != nil {
				return nil, false, err
			}
			k, err := secure.GenerateKey(false)
			if err != nil {
				return nil, false, err
			}
			if err := writeIdentity(st.Root, k, nil); err != nil {
				return nil, false, err
			}
			return []string{k.Recipient}, true, nil
		}
		if pub, err := fsutil.ReadRegular(filepath.Join(st.Root, profile.RecipientFile)); err == nil {
			if r := strings.TrimSpace(string(pub)); r != "" {
				if n, err := secure.NormalizeRecipient(r); err == nil {
					return []string{n}, false, nil
				}
			}
		}
	}
	ids, err := f.Identities()
	if err != nil {
		return nil, false, err
	}
	rs, err := secure.RecipientsOf(ids)
	if err != nil {
		return nil, false, err
	}
	return rs, false, nil
}

// writeIdentity writes identity.txt (exclusive) and identity.pub.
func writeIdentity(root string, k *secure.KeyPair, passphrase []byte) error {
	data, err := secure.MarshalIdentityFile(k, passphrase, nowFunc())
	if err != nil {
		return err
	}
	if err := fsutil.CreateExclusive(filepath.Join(root, profile.IdentityFile), data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return mapi.Errorf(mapi.Collision, "identity %s already exists", filepath.Join(root, profile.IdentityFile))
		}
		return mapi.Wrap(mapi.DiskError, err, "write identity")
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(root, profile.RecipientFile), []byte(k.Recipient+"\n")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write identity.pub")
	}
	return nil
}
