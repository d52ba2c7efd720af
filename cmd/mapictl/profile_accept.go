package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/textsafe"
)

type profileAcceptOptions struct {
	Name string
	Key  string // --key: the fingerprint checked out of band
	Yes  bool
}

func newProfileAcceptCmd(f *factory) *cobra.Command {
	opts := &profileAcceptOptions{}
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
			opts.Name = args[0]
			return runProfileAccept(cmd.Context(), opts, f, cmd)
		},
	}
	cmd.Flags().StringVar(&opts.Key, "key", "", "accept only a profile signed with the key of this fingerprint (SHA256:...)")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask")
	return cmd
}

// runProfileAccept reviews, asks and accepts; cmd is for the usage hint of
// --yes without --key, which only the review can tell.
func runProfileAccept(_ context.Context, opts *profileAcceptOptions, f *factory, cmd *cobra.Command) error {
	name := opts.Name
	if opts.Key != "" && !secure.ValidFingerprint(opts.Key) {
		return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--key %q is not a signing key's fingerprint: want SHA256: and 43 base64 characters, as 'mapictl profile show' prints it", opts.Key))
	}
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	st := f.Store()
	r, err := st.Review(name, ids)
	if err != nil {
		return err
	}
	if err := r.CheckAccept(opts.Key, ids); err != nil {
		return err
	}
	if opts.Yes && opts.Key == "" && r.NeedsKey() {
		return flagErr(cmd, mapi.Errorf(mapi.InvalidParameter, "--yes needs --key while this store has not pinned profile %q", name))
	}
	if r.Settled() {
		if f.jsonOutput() {
			return f.printJSON(reviewJSON(r, false))
		}
		f.printf("profile %s is verified (version %d, signing key %s): nothing to accept\n", name, r.Profile.Version, r.Fingerprint)
		return nil
	}
	if !f.jsonOutput() || !opts.Yes {
		r.WriteText(f.IO.Err, ids) // stderr: stdout stays the result
	}
	if !opts.Yes {
		if !f.CanPrompt() {
			return mapi.Errorf(mapi.Unconfigured, "accepting profile %q needs a terminal to ask on", name).
				WithHint("review the changes above, then run 'mapictl profile accept " + textsafe.ShellArg(name) + " --key FINGERPRINT --yes'")
		}
		ok, err := f.confirm("Accept profile " + name + "? [y/N] ")
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
	p, err := st.Load(name, ids)
	if err != nil {
		return err
	}
	f.printf("accepted profile %s (version %d, signing key %s)\n", p.Name, p.Version, p.KeyFingerprint())
	return nil
}

type profileAddOptions struct{ File string }

func newProfileAddCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "add FILE",
		Short: "Bring in a profile file received from someone else",
		Long: `Copy a profile file (NAME.age, as an owner publishes it) into this store, under
the name signed inside it. A profile new to this store stays unconfirmed until
you review it with 'profile accept'. A newer version of a profile this store
has, signed with the key this store pinned, replaces it (how members take an
owner's update). The same file again, or the version this store verified, is
"unchanged" and writes nothing; that version over a copy that does not verify
(a forgery or a rollback put in its place) restores it. Anything else is
refused (73) and nothing is replaced.`,
		Example: `  mapictl profile add ~/team-profiles/team.age
  mapictl profile accept team --key SHA256:...`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileAdd(cmd.Context(), &profileAddOptions{File: args[0]}, f)
		},
	}
}

func runProfileAdd(_ context.Context, opts *profileAddOptions, f *factory) error {
	ct, err := os.ReadFile(opts.File)
	if err != nil {
		return mapi.Errorf(mapi.NotFound, "cannot read %s: %v", opts.File, err)
	}
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	p, res, err := f.Store().Add(ct, ids)
	if err != nil {
		return err
	}
	result := map[profile.AddResult]string{profile.AddNew: "added", profile.AddReplaced: "updated",
		profile.AddUnchanged: "unchanged", profile.AddRestored: "restored"}[res]
	if f.jsonOutput() {
		return f.printJSON(profileAddJSON{Name: p.Name, UID: p.UID, Version: p.Version, Result: result,
			Verified: p.Trust.Verified, UnconfirmedReason: p.Trust.Reason,
			KeyFingerprint: p.KeyFingerprint(), Path: f.Store().Path(p.Name)})
	}
	switch {
	case res == profile.AddUnchanged:
		f.printf("profile %s unchanged (version %d)\n", p.Name, p.Version)
	case res == profile.AddRestored:
		f.printf("restored profile %s to version %d, the version this store verified\n", p.Name, p.Version)
	case p.Trust.Verified:
		f.printf("updated profile %s to version %d\n", p.Name, p.Version)
	default:
		f.printf("added profile %s (version %d, signing key %s)\n", p.Name, p.Version, p.KeyFingerprint())
	}
	if !p.Trust.Verified {
		f.warnUnconfirmed(p)
	}
	return nil
}
