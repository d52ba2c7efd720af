package main

import (
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

func init() {
	extraProfileCommands = append(extraProfileCommands, newProfileRekeyCmd)
}

func newProfileRekeyCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "rekey NAME",
		Short: "Re-encrypt every layer of a profile with fresh keys",
		Long: `Re-encrypt the profile and every section's credentials you can open with fresh
file keys, to the same recipients (after a lost or replaced key, together with
'profile recipients NAME remove R'). Credentials you cannot open are left as
they are and named in a warning.`,
		Example:           "  mapictl profile rekey team",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			resealed, skipped, err := f.rekey(args[0])
			if err != nil {
				return err
			}
			if f.jsonOutput() {
				return f.printJSON(map[string]any{"name": args[0], "resealed": nonNilStrings(resealed), "skipped": nonNilStrings(skipped)})
			}
			for _, s := range skipped {
				f.warnf("cannot open the credentials of section %q: left as they are", s)
			}
			f.printf("rekeyed profile %s (%d section credentials re-encrypted)\n", args[0], len(resealed))
			return nil
		},
	}
}

// rekey holds the profile's lock, re-seals its ranges and always rewrites
// the outer layer (Store.Update would skip an unchanged document).
func (f *factory) rekey(name string) (resealed, skipped []string, err error) {
	if err := profile.CheckName("profile", name); err != nil {
		return nil, nil, err
	}
	ids, err := f.Identities()
	if err != nil {
		return nil, nil, err
	}
	st := f.Store()
	unlock, err := st.Lock(name)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	p, err := st.Load(name, ids)
	if err != nil {
		return nil, nil, err
	}
	if resealed, skipped, err = manifest.Rekey(p, ids); err != nil {
		return nil, nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, nil, mapi.Wrap(mapi.InvalidParameter, err, "refusing to write profile "+name)
	}
	doc, err := profile.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	ct, err := secure.Encrypt(doc, p.Recipients)
	if err != nil {
		return nil, nil, err
	}
	if err := fsutil.WriteFileAtomic(st.Path(name), ct); err != nil {
		return nil, nil, mapi.Wrap(mapi.DiskError, err, "write profile")
	}
	return resealed, skipped, nil
}
