package main

import (
	"os"
	"strings"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
)

// sessionFileFlag is the value of --session-file on the commands that may run
// under a session (message send, spool flush): they bind their flag to this
// variable; currentSession reads the token from that file when it is set.
var sessionFileFlag string

// tokenFileLimit bounds a --session-file (a token is about 2 KiB for a
// post-quantum key).
const tokenFileLimit = 64 << 10

// sessionToken returns the selected token: from --session-file (one
// trailing newline removed), else $MAPICTL_SESSION; "" when neither is set.
// An unreadable or empty session file is MAPI_E_LOGON_FAILED.
func sessionToken() (string, error) {
	if sessionFileFlag != "" {
		b, err := fsutil.ReadRegular(sessionFileFlag)
		if err != nil {
			return "", mapi.Errorf(mapi.LogonFailed, "cannot read the session file %q", sessionFileFlag).
				WithHint("write it with: mapictl session logon -o json | jq -r .token > FILE")
		}
		if len(b) > tokenFileLimit {
			return "", mapi.Errorf(mapi.LogonFailed, "the session file %q is too large to hold a token", sessionFileFlag)
		}
		tok := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if tok == "" {
			return "", mapi.Errorf(mapi.LogonFailed, "the session file %q is empty", sessionFileFlag)
		}
		return tok, nil
	}
	return os.Getenv("MAPICTL_SESSION"), nil
}

// currentSession returns the live session selected by --session-file or
// $MAPICTL_SESSION, nil when none is selected, or MAPI_E_LOGON_FAILED for a
// token that is malformed, forged, logged off or expired (an expired
// session's files are removed). It never falls back to stored credentials.
func (f *factory) currentSession() (*session.Snapshot, error) {
	tok, err := sessionToken()
	if err != nil || tok == "" {
		return nil, err
	}
	return session.Open(f.StoreDir(), tok, nowFunc())
}
