package main

import (
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
)

func newSessionLogoffCmd(f *factory) *cobra.Command {
	var all bool
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
			if all && len(args) > 0 {
				return mapi.Errorf(mapi.InvalidParameter, "give an ID or --all, not both")
			}
			ids, err := f.logoffTargets(args, all)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if err := session.Logoff(f.StoreDir(), id); err != nil {
					return err
				}
			}
			if f.jsonOutput() {
				return f.printJSON(map[string]any{"logged_off": ids})
			}
			f.println("unset MAPICTL_SESSION")
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "log off every session of the store")
	cmd.Flags().StringVar(&sessionFileFlag, "session-file", "", "read the current session's token from this file")
	return cmd
}

// logoffTargets resolves what logoff removes: every live session with all,
// the ID given, else the current session.
func (f *factory) logoffTargets(args []string, all bool) ([]string, error) {
	if !all {
		m, err := f.sessionMeta(args)
		if err != nil {
			return nil, err
		}
		return []string{m.ID}, nil
	}
	ms, err := session.List(f.StoreDir(), nowFunc())
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids, nil
}
