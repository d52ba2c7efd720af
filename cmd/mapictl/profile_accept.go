package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newProfileAcceptCmd(f *factory) *cobra.Command {
	var key string
	var yes bool
	cmd := &cobra.Command{
		Use:   "accept NAME [--key FINGERPRINT] [--yes]",
		Short: "Review, pin and (as an owner) sign a profile changed elsewhere",
		Long: `Show who signed a profile this store cannot verify (a new one, a rollback, a
replaced signing key, or a file written by someone who is not an owner), and
every change of who reads what and of the settings that decide where secrets
and mail go or what runs, against the version this store last verified; then
ask. Accepting pins the profile's signing key and version in this store; an
owner also re-binds the credentials to the reviewed settings and signs the
result as a new version (with a fresh signing key when the key was replaced, or
for a file written before profiles had owners, whose accepting owner becomes
its only owner and whose other recipients become readers of the sections they
could open).

--key accepts only a document signed with that key (get the fingerprint from
an owner, out of band). --yes skips the question; while this store has no pin
of the profile, only together with --key.`,
		Example: `  mapictl profile accept team
  mapictl profile accept team --key SHA256:... --yes     # CI`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := f.Identities()
			if err != nil {
				return err
			}
			st := f.Store()
			r, err := st.Review(args[0], ids)
			if err != nil {
				return err
			}
			if key != "" {
				if err := r.CheckKey(key); err != nil {
					return err
				}
			}
			if r.KeyReplaced && !r.Owner && key == "" {
				return mapi.Errorf(mapi.NoAccess, "profile %q is signed with a key (%s) that the pinned one (%s) did not endorse", args[0], r.Fingerprint, r.PinnedFingerprint).
					WithHint("check the new fingerprint with an owner, out of band, then run 'mapictl profile accept " + args[0] + " --key " + r.Fingerprint + "'")
			}
			if yes && key == "" && r.PinnedFingerprint == "" && !r.Legacy {
				return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--yes needs --key while this store has not pinned profile %q", args[0]))
			}
			if r.Profile.Trust.Verified && r.Dropped == nil {
				if f.jsonOutput() {
					return f.printJSON(reviewJSON(r, false))
				}
				f.printf("profile %s is verified (version %d, signing key %s): nothing to accept\n",
					args[0], r.Profile.Version, r.Fingerprint)
				return nil
			}
			if !f.jsonOutput() || !yes {
				f.printReview(r)
			}
			if !yes {
				if !f.CanPrompt() {
					return mapi.Errorf(mapi.Unconfigured, "accepting profile %q needs a terminal to ask on", args[0]).
						WithHint("review the changes above, then run 'mapictl profile accept " + args[0] + " --key FINGERPRINT --yes'")
				}
				ok, err := f.confirm("Accept profile " + args[0] + "? [y/N] ")
				if err != nil {
					return err
				}
				if !ok {
					return mapi.Errorf(mapi.UserCancel, "not accepted")
				}
			}
			if err := st.Accept(r, ids); err != nil {
				return err
			}
			if f.jsonOutput() {
				return f.printJSON(reviewJSON(r, true))
			}
			p, err := st.Load(args[0], ids)
			if err != nil {
				return err
			}
			f.printf("accepted profile %s (version %d, signing key %s)\n", p.Name, p.Version, p.KeyFingerprint())
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "accept only a profile signed with the key of this fingerprint (SHA256:...)")
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask")
	return cmd
}

// printReview writes what accepting r means to stderr, so that stdout
// stays the command's result.
func (f *factory) printReview(r *profile.Review) {
	p := r.Profile
	w := func(format string, args ...any) { fmt.Fprintf(f.IO.Err, format, args...) }
	w("profile %s (uid %s), version %d: %s\n", p.Name, p.UID, p.Version, p.Trust.Reason)
	switch {
	case r.Legacy:
		w("signing key: none (written before profiles had owners)\n")
	case r.Rotated:
		w("signing key rotated by an owner: %s (endorsed by the pinned %s)\n", r.Fingerprint, r.PinnedFingerprint)
	case r.KeyReplaced:
		w("signing key REPLACED: %s (this store pinned %s)\n", r.Fingerprint, r.PinnedFingerprint)
	case r.PinnedFingerprint == "":
		w("signing key: %s (new to this store; check it with an owner)\n", r.Fingerprint)
	default:
		w("signing key: %s (pinned)\n", r.Fingerprint)
	}
	if reads := r.Reads(f.ids); len(reads) > 0 {
		w("you read: %s\n", strings.Join(reads, ", "))
	} else {
		w("you read no section's credentials\n")
	}
	if r.Previous != nil {
		w("changes since version %d, the last this store verified:\n", r.Previous.Version)
	} else {
		w("settings (this store verified no earlier version):\n")
	}
	for _, c := range r.Changes {
		w("  %s\n", c)
	}
	for _, g := range r.Grants {
		w("  grant: %s\n", g)
	}
	for _, d := range r.Dropped {
		w("  section %s: credentials no owner can open: removed on accept\n", d)
	}
	switch {
	case r.Owner && r.FreshKey:
		w("accepting signs it with a fresh signing key, as a new version\n")
	case r.Owner:
		w("accepting re-binds the credentials to these settings and signs it as a new version\n")
	case p.Trust.Signed:
		w("accepting pins signing key %s at version %d\n", r.Fingerprint, p.Version)
	default:
		w("only an owner can accept it: it is not signed by the key it names\n")
	}
}

func newProfileAddCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "add FILE",
		Short: "Bring in a profile file received from someone else",
		Long: `Copy a profile file (NAME.age, as an owner publishes it) into this store, under
the name signed inside it. A profile new to this store stays unconfirmed until
you review it with 'profile accept'. A newer version of a profile this store
has, signed with the key this store pinned, replaces it (how members take an
owner's update); anything else is refused and nothing is replaced.`,
		Example: `  mapictl profile add ~/team-profiles/team.age
  mapictl profile accept team --key SHA256:...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ct, err := os.ReadFile(args[0])
			if err != nil {
				return mapi.Errorf(mapi.NotFound, "cannot read %s: %v", args[0], err)
			}
			ids, err := f.Identities()
			if err != nil {
				return err
			}
			p, err := f.Store().Add(ct, ids)
			if err != nil {
				return err
			}
			if f.jsonOutput() {
				return f.printJSON(profileAddJSON{Name: p.Name, UID: p.UID, Version: p.Version,
					Verified: p.Trust.Verified, UnconfirmedReason: p.Trust.Reason,
					KeyFingerprint: p.KeyFingerprint(), Path: f.Store().Path(p.Name)})
			}
			if p.Trust.Verified {
				f.printf("updated profile %s to version %d\n", p.Name, p.Version)
				return nil
			}
			f.printf("added profile %s (version %d, signing key %s)\n", p.Name, p.Version, p.KeyFingerprint())
			f.warnf("profile %q is unconfirmed: %s; review it with 'mapictl profile accept %s'", p.Name, p.Trust.Reason, p.Name)
			return nil
		},
	}
}
