package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
)

func newSessionListCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the live sessions of the store (never their tokens)",
		Example: "  mapictl session list\n  mapictl session list -o json | jq -r '.[].id'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionList(cmd.Context(), f)
		},
	}
}

func newSessionShowCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show [ID]",
		Short: "Show one session (default: the current one, from $MAPICTL_SESSION)",
		Example: `  mapictl session show
  mapictl session show 0lq2x8m3k9abcdefghijklmnop -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionShow(cmd.Context(), &sessionShowOptions{Args: args}, f)
		},
	}
	cmd.Flags().String(sessionFileFlag, "", "read the current session's token from this file")
	return cmd
}

// runSessionList prints the live sessions (session list has no options),
// once the expired ones are swept (factory.sweepSessions).
func runSessionList(ctx context.Context, f *factory) error {
	ms, err := f.sweepSessions(ctx)
	if err != nil {
		return err
	}
	return f.printSessions(ms)
}

// sweepSessions is the clean-up of the store's sessions directory
// (session.Sweep) by a command about to look at it: it returns the live
// sessions, once the OAuth 2.0 token files of the expired sessions it
// removed were re-sealed without their keys (SPEC §8;
// account.ResealExpired), with the store's identities when they load
// without a prompt. A file that cannot be re-sealed though the identities
// are at hand is warned about; without them, it keeps the expired key
// until its next use, which re-seals it.
func (f *factory) sweepSessions(ctx context.Context) ([]session.Meta, error) {
	live, expired, err := session.Sweep(f.StoreDir(), nowFunc())
	if err != nil || len(expired) == 0 {
		return live, err
	}
	ids, err := f.quietIdentities()
	if err != nil {
		return live, nil
	}
	for _, err := range account.ResealExpired(ctx, f.StoreDir(), expired, ids, nowFunc()) {
		if !mapi.IsCode(err, mapi.NoAccess) { // a passphrase to ask for: not here
			f.warnf("%s; it stays sealed to an expired session's key until its next use", mapi.AsError(err).Msg)
		}
	}
	return live, nil
}

// sessionShowOptions are session show's argument: the ID, or none for
// the current session.
type sessionShowOptions struct{ Args []string }

func runSessionShow(_ context.Context, opts *sessionShowOptions, f *factory) error {
	m, err := f.sessionMeta(opts.Args)
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		return f.printJSON(sessionOut(*m))
	}
	return f.printSessions([]session.Meta{*m})
}

// sessionMeta returns the metadata of session args[0], or of the current
// session when args is empty. Expired sessions are removed first. Errors:
// MAPI_E_INVALID_PARAMETER for a malformed ID, MAPI_E_LOGON_FAILED for an
// unusable current token, and those of session.Lookup.
func (f *factory) sessionMeta(args []string) (*session.Meta, error) {
	var id string
	if len(args) == 1 {
		id = args[0]
		if err := mapi.CheckID("session", id); err != nil {
			return nil, err
		}
	} else {
		snap, err := f.currentSession()
		if err != nil {
			return nil, err
		}
		if snap == nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "no current session: $MAPICTL_SESSION is not set").
				WithHint("give an ID (see 'mapictl session list'), or log on: eval \"$(mapictl session logon)\"")
		}
		id = snap.ID
	}
	return session.Lookup(f.StoreDir(), id, nowFunc())
}
