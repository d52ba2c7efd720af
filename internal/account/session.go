package account

import (
	"context"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/session"
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

// SessionOptions are the inputs of [StartSession]: a logon, and what the
// session made of it keeps.
type SessionOptions struct {
	LogonOptions
	Store    *profile.Store // the store of LogonOptions.Profile (StoreRoot its Root)
	Remember bool           // save prompted credentials in their sections' secure ranges
	TTL      time.Duration  // how long the session lives; must be positive
	Now      time.Time
}

// StartSession is `session logon`: [Logon], then, with o.Remember, the
// credentials typed at a prompt saved in the profile (session.Remember,
// under the profile's lock), then the session record created in the store
// (session.Create) with [SessionRecipients], then the token files of its
// OAuth 2.0 sections re-sealed to include the session's key (when that
// fails, the session is logged off again, the files already re-sealed
// are re-sealed back without it, and the error returned). It
// returns the logon's result (also with an error, for the sections left
// out), the session's snapshot and its token. Errors: MAPI_E_INVALID_PARAMETER for a TTL that is not
// positive, and those of the steps.
func StartSession(ctx context.Context, o SessionOptions) (*LogonResult, *session.Snapshot, string, error) {
	if o.TTL <= 0 {
		return nil, nil, "", mapi.Errorf(mapi.InvalidParameter, "--ttl must be positive")
	}
	if o.Clock == nil {
		o.Clock = func() time.Time { return o.Now }
	}
	res, err := Logon(ctx, o.LogonOptions)
	if err != nil {
		return res, nil, "", err
	}
	name := o.Profile.Name
	if o.Remember && len(res.Prompted) > 0 {
		if _, err := o.Store.Update(name, o.IDs, func(p *profile.Profile) error {
			return session.Remember(p, o.IDs, res.Prompted)
		}); err != nil {
			return res, nil, "", err
		}
	}
	recips, pq, err := SessionRecipients(o.StoreRoot, o.IDs)
	if err != nil {
		return res, nil, "", err
	}
	snap := session.NewSnapshot(name, res.Sections, recips, o.Now, o.TTL)
	snap.ProfileUID = o.Profile.UID
	token, err := session.Create(o.StoreRoot, snap, pq)
	if err != nil {
		return res, nil, "", err
	}
	if err := resealForSession(ctx, o, snap); err != nil {
		return res, nil, "", err
	}
	return res, snap, token, nil
}

// resealForSession re-seals the token files of snap's OAuth 2.0 sections
// (opened with o.IDs) to [TokenRecipients], which now include snap's key:
// processes under the session, which hold only that key, open and refresh
// them. A section with no token file yet (a seed only) is left: the first
// process to seed it seals it to the same recipients. Then the sessions
// directory is swept (session.Sweep) and the expired sessions' token
// files re-sealed without them, best effort.
//
// When a file cannot be re-sealed, the logon fails and changes no file
// (SPEC §9): the session is logged off, then the files re-sealed so far
// are re-sealed again, now without its key (logged off first, so that a
// process writing one of them meanwhile does not seal the key back in).
// The error is the failed re-seal's; a file that cannot be re-sealed back
// is named in a hint (its key was never handed out: the session's token
// was not printed).
func resealForSession(ctx context.Context, o SessionOptions, snap *session.Snapshot) error {
	r := &resealer{storeRoot: o.StoreRoot, tries: [][]age.Identity{o.IDs}, stored: o.IDs, now: o.Clock}
	var done []string
	for _, sec := range snap.Sections {
		if sec.Settings.OAuth2 == nil {
			continue
		}
		f := oauth.Path(o.StoreRoot, snap.ProfileUID, sec.Settings.SectionUID)
		if err := r.file(ctx, f); err != nil {
			e := mapi.AsError(err)
			if lerr := session.Logoff(o.StoreRoot, snap.ID); lerr != nil && !mapi.IsCode(lerr, mapi.NotFound) {
				e = e.WithHint("session " + snap.ID + " could not be logged off again: 'mapictl session logoff " + snap.ID + "'")
			}
			for _, d := range done {
				if rerr := r.file(ctx, d); rerr != nil {
					e = e.WithHint(mapi.AsError(rerr).Msg + "; it stays sealed to the failed session's key until its next write")
				}
			}
			return e
		}
		done = append(done, f)
	}
	// The clean-up a logon does: expired sessions removed, their token
	// files re-sealed without them (best effort).
	if _, exp, err := session.Sweep(o.StoreRoot, o.Clock()); err == nil {
		r.queue = append(r.queue, exp...)
	}
	r.drain(ctx)
	return nil
}
