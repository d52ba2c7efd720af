package main

import "github.com/mapictl/mapictl/internal/session"

// sessionFileFlag is the value of --session-file on the commands that may run
// under a session (message send, spool flush): they bind their flag to this
// variable; currentSession reads the token from that file when it is set.
var sessionFileFlag string

// currentSession returns the live session selected by $MAPICTL_SESSION or
// --session-file, nil when none is selected, or MAPI_E_LOGON_FAILED for a
// token that is malformed, forged, logged off or expired.
// (Stub until the sessions work lands: no session is ever selected.)
func (f *factory) currentSession() (*session.Snapshot, error) { return nil, nil }
