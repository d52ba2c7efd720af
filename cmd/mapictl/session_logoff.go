package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
)

// sessionLogoffOptions are session logoff's argument and flag.
type sessionLogoffOptions struct {
	Args []string // the ID given, or none: the current session
	All  bool
}

func newSessionLogoffCmd(f *factory) *cobra.Command {
	opts := &sessionLogoffOptions{}
	cmd := &cobra.Command{
		Use:   "logoff [ID | --all]",
		Short: "Log off a session (default: the current one) and delete its files",
		Long: `Log off the current session ($MAPICTL_SESSION or --session-file), the session
ID, or with --all every session of the store. Text output is
"unset MAPICTL_SESSION", for eval.`,
		Example: `  eval "$(mapictl session logoff)"
  mapictl session logoff --all`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.All && len(args) > 0 {
				return mapi.Errorf(mapi.InvalidParameter, "give an ID or --all, not both")
			}
			opts.Args = args
			return runSessionLogoff(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "log off every session of the store")
	cmd.Flags().String(sessionFileFlag, "", "read the current session's token from this file")
	return cmd
}

func runSessionLogoff(ctx context.Context, opts *sessionLogoffOptions, f *factory) error {
	// Expired sessions first, their token files re-sealed (SPEC §8); a
	// sessions directory that cannot be read fails below.
	_, _ = f.sweepSessions(ctx)
	ids, err := f.logoffTargets(opts.Args, opts.All)
	if err != nil {
		return err
	}
	cur := f.logoffSnapshot(ids)
	for _, id := range ids {
		lt := account.LogoffTokens{StoreRoot: f.StoreDir(), Identities: f.quietIdentities, Now: nowFunc()}
		// Re-seal what was queued under the session without its key first
		// (issue 24, point 9): that needs the token's key, so only the
		// current session can be; the others are re-sealed by the next
		// spool flush.
		if cur != nil && cur.ID == id {
			f.resealSessionSpool(cur)
			lt.Session, lt.ProfileUID = cur, cur.ProfileUID
			for _, sec := range cur.Sections {
				lt.SectionUIDs = append(lt.SectionUIDs, sec.Settings.SectionUID)
			}
		} else {
			f.noteSessionSpool(id)
			if m, err := session.Lookup(f.StoreDir(), id, nowFunc()); err == nil {
				lt.ProfileUID, lt.SectionUIDs = m.ProfileUID, m.SectionUIDs
			}
		}
		if err := session.Logoff(f.StoreDir(), id); err != nil {
			return err
		}
		// Then its OAuth 2.0 token files, without its key (SPEC §8).
		for _, err := range lt.Reseal(ctx) {
			f.warnf("%s; it stays sealed to session %s's key until its next refresh", mapi.AsError(err).Msg, id)
		}
	}
	if f.jsonOutput() {
		return f.printJSON(struct {
			LoggedOff []string `json:"logged_off"`
		}{ids})
	}
	f.println("unset MAPICTL_SESSION")
	return nil
}

// logoffTargets resolves what logoff removes: with all, every session of
// the store (session.AllIDs); else the ID given, else the current session.
// A given ID is not required to be listed (its .json may be damaged);
// session.Logoff checks it before touching any file.
func (f *factory) logoffTargets(args []string, all bool) ([]string, error) {
	if !all {
		if len(args) == 1 {
			if err := mapi.CheckID("session", args[0]); err != nil {
				return nil, err
			}
			return args, nil
		}
		snap, err := f.currentSession()
		if err != nil {
			return nil, err
		}
		if snap == nil {
			_, err := f.sessionMeta(args) // the "no current session" error
			return nil, err
		}
		return []string{snap.ID}, nil
	}
	return session.AllIDs(f.StoreDir(), nowFunc())
}

// logoffSnapshot returns the current session's snapshot (with its key) when
// it is among ids, else nil. A token that does not open a live session is
// no error here: logoff by ID or --all works without one.
func (f *factory) logoffSnapshot(ids []string) *session.Snapshot {
	snap, err := f.currentSession()
	if err != nil || snap == nil || !slices.Contains(ids, snap.ID) {
		return nil
	}
	return snap
}

// noteSessionSpool warns when messages queued under session id, logged off
// without its token, stay sealed to its key for now.
func (f *factory) noteSessionSpool(id string) {
	if _, err := os.Stat(filepath.Join(f.StoreDir(), "spool")); err != nil {
		return
	}
	sp, err := f.openSpool()
	if err != nil {
		return
	}
	if n := len(sp.BySession(id)); n > 0 {
		f.warnf("spool: %s queued under session %s: still sealed to its key until the next 'mapictl spool flush' re-seals it (log off with the session's token to re-seal now)",
			plural(n, "message"), id)
	}
}
