package account

import (
	"path/filepath"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// SessionRecipients returns the spool recipients a session logged on in
// the store at storeRoot keeps (session.NewSnapshot): the store's
// identity.pub, else, when it is missing, empty or unreadable, those of
// ids; and whether they are post-quantum, which makes the session key
// post-quantum too (age refuses to mix the kinds).
func SessionRecipients(storeRoot string, ids []age.Identity) (rs []string, pq bool, err error) {
	rs, err = secure.ParseRecipientsFile(filepath.Join(storeRoot, profile.RecipientFile))
	if err != nil || len(rs) == 0 {
		if rs, err = secure.RecipientsOf(ids); err != nil {
			return nil, false, err
		}
	}
	for _, r := range rs {
		pq = pq || secure.IsPQ(r)
	}
	return rs, pq, nil
}

// CheckSessionProfile applies SPEC §7's rule for a profile named with the
// -p flag (flagProfile; "" when the flag was not given) under a session of
// sessionProfile: another profile is MAPI_E_INVALID_PARAMETER, never a
// silent send through the session's profile. fromFile says the session's
// token came from --session-file rather than $MAPICTL_SESSION (the error
// names it). $MAPICTL_PROFILE and config.yaml yield to the session: pass
// "" for them.
func CheckSessionProfile(flagProfile, sessionProfile string, fromFile bool) error {
	if flagProfile == "" || flagProfile == sessionProfile {
		return nil
	}
	from, leave := "$MAPICTL_SESSION", "unset MAPICTL_SESSION"
	if fromFile {
		from, leave = "--session-file", "drop --session-file"
	}
	return mapi.Errorf(mapi.InvalidParameter, "-p %s names another profile than the current session's (%s, from %s)", flagProfile, sessionProfile, from).
		WithHint("to use profile "+flagProfile+", log off ('mapictl session logoff') or run without the session: "+leave,
			"to use the session, leave out -p")
}
