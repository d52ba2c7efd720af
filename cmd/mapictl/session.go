package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/session"
)

func newSessionCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "session",
		Short: "Log on sessions (one identity per transport) and log them off",
		Long: `A session is a logon to a profile: its transport sections' settings and
credentials, sealed to a key that only the session token holds. Commands run
with $MAPICTL_SESSION (or --session-file F) need neither the profile identity
nor its passphrase. Every session command removes expired sessions.`,
		Example: `  eval "$(mapictl session logon)"
  mapictl session logon --as bot@example.com -o json | jq -r .token > token
  mapictl session list
  eval "$(mapictl session logoff)"`,
	}
	cmd.AddCommand(newSessionLogonCmd(f), newSessionListCmd(f), newSessionShowCmd(f), newSessionLogoffCmd(f))
	return cmd
}

// sessionJSON is one session in `session list` and `session show` (SPEC §7):
// never the token.
type sessionJSON struct {
	ID        string    `json:"id"`
	Profile   string    `json:"profile"`
	Sections  []string  `json:"sections"`
	Addresses []string  `json:"addresses"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

func sessionOut(m session.Meta) sessionJSON {
	return sessionJSON{ID: m.ID, Profile: m.Profile, Sections: m.Sections, Addresses: m.Addresses,
		Created: m.Created.UTC(), Expires: m.Expires.UTC()}
}

// printSessions prints sessions as a table (text) or a JSON array.
func (f *factory) printSessions(ms []session.Meta) error {
	if f.jsonOutput() {
		out := []sessionJSON{}
		for _, m := range ms {
			out = append(out, sessionOut(m))
		}
		return f.printJSON(out)
	}
	var rows [][]string
	for _, m := range ms {
		rows = append(rows, []string{m.ID, m.Profile, strings.Join(m.Sections, ","), strings.Join(m.Addresses, ","),
			m.Created.UTC().Format(time.RFC3339), m.Expires.UTC().Format(time.RFC3339)})
	}
	f.table([]string{"ID", "PROFILE", "SECTIONS", "ADDRESSES", "CREATED", "EXPIRES"}, rows)
	return nil
}
