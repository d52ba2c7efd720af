package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/session"
)

// sessionFileFlag is the name of the flag the commands that may run under
// a session define, each on its own (message send, spool, session list and
// logoff); the value of the running command's is noted in
// factory.sessionFile (noteCommandFlags).
const sessionFileFlag = "session-file"

// sessionToken returns the selected token: from --session-file (one
// trailing newline removed), else $MAPICTL_SESSION; "" when neither is set.
// An unreadable or empty session file is MAPI_E_LOGON_FAILED.
func (f *factory) sessionToken() (string, error) {
	if f.sessionFile != "" {
		return session.ReadTokenFile(f.sessionFile)
	}
	return os.Getenv("MAPICTL_SESSION"), nil
}

// currentSession returns the live session selected by --session-file or
// $MAPICTL_SESSION, nil when none is selected, or MAPI_E_LOGON_FAILED for a
// token that is malformed, forged, logged off or expired (an expired
// session's files are removed). It never falls back to stored credentials.
//
// Under a session, a profile named with the -p flag must be the session's
// (SPEC §7): another is MAPI_E_INVALID_PARAMETER (64), never a silent send
// through the session's profile. $MAPICTL_PROFILE (and config.yaml) yield
// to the session without a word.
func (f *factory) currentSession() (*session.Snapshot, error) {
	tok, err := f.sessionToken()
	if err != nil || tok == "" {
		return nil, err
	}
	snap, err := session.Open(f.StoreDir(), tok, nowFunc())
	if err != nil {
		return nil, err
	}
	if err := f.checkSessionProfile(snap.Profile); err != nil {
		return nil, err
	}
	return snap, nil
}

// checkSessionProfile refuses a -p flag that names another profile than
// sessionProfile, the profile of the current session (account.CheckSessionProfile).
func (f *factory) checkSessionProfile(sessionProfile string) error {
	flag := ""
	if f.profileFlagGiven {
		flag = f.v.GetString("profile") // the flag's value: a flag given beats the environment
	}
	return account.CheckSessionProfile(flag, sessionProfile, f.sessionFile != "")
}

// noteCommandFlags records, for cmd, the command about to run: whether
// -p/--profile was given as a flag on its command line (viper binds the
// flag and $MAPICTL_PROFILE to one key, so only cobra can tell them
// apart), and the value of its own --session-file flag, if it has one.
func (f *factory) noteCommandFlags(cmd *cobra.Command) {
	f.profileFlagGiven = cmd.Flags().Changed("profile")
	f.sessionFile = ""
	if fl := cmd.Flags().Lookup(sessionFileFlag); fl != nil {
		f.sessionFile = fl.Value.String()
	}
}
