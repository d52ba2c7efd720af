package account

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/session"
)

// LogoffTokens re-seals the OAuth 2.0 token files of a session that was
// just logged off (its files removed), so that its key no longer opens
// them (SPEC §8).
type LogoffTokens struct {
	StoreRoot string
	// ProfileUID and SectionUIDs are the session's profile and sections
	// (its snapshot's or metadata's): the token files of those sections
	// are re-sealed. ProfileUID "": those sections' files of any profile.
	ProfileUID  string
	SectionUIDs []string
	// Session is the logged-off session's snapshot when its token is at
	// hand: its key is tried first. nil otherwise.
	Session *session.Snapshot
	// Identities are the store's, tried when the session's key does not
	// open a file (or is not at hand); nil or failing: not tried.
	Identities func() ([]age.Identity, error)
	Now        time.Time
}

// Reseal re-seals each token file of l's sections to [TokenRecipients]
// (which no longer include the session's), opened with the session's key,
// else the store's identities. It returns one error per file it could not
// re-seal (naming the file, never a secret): such a file is left as it
// was, still sealed to the session's key until its next write. The token
// files of sessions found expired meanwhile are re-sealed too, best
// effort (their failures are not reported).
func (l LogoffTokens) Reseal(ctx context.Context) []error {
	files := tokenFilesOf(l.StoreRoot, l.ProfileUID, l.SectionUIDs)
	if len(files) == 0 {
		return nil
	}
	r := &resealer{storeRoot: l.StoreRoot, snap: l.Session, now: func() time.Time { return l.Now }}
	if l.Session != nil && l.Session.Key != nil {
		r.tries = append(r.tries, []age.Identity{l.Session.Key})
	}
	if l.Identities != nil {
		if ids, err := l.Identities(); err == nil && len(ids) > 0 {
			r.stored = ids
			r.tries = append(r.tries, ids)
		}
	}
	var errs []error
	for _, f := range files {
		if err := r.file(ctx, f); err != nil {
			errs = append(errs, err)
		}
	}
	r.drain(ctx)
	return errs
}

// ResealExpired re-seals the token files of sessions a clean-up removed
// (session.Sweep's expired) to [TokenRecipients], opened with ids (the
// store's identities, loaded without a prompt), so that their keys no
// longer open them (SPEC §8). It returns one error per file it could not
// re-seal, naming the file; such a file keeps the expired key until its
// next write or use.
func ResealExpired(ctx context.Context, storeRoot string, expired []session.Meta, ids []age.Identity, now time.Time) []error {
	if len(expired) == 0 || len(ids) == 0 {
		return nil
	}
	r := &resealer{storeRoot: storeRoot, tries: [][]age.Identity{ids}, stored: ids, now: func() time.Time { return now }}
	return r.expired(ctx, expired)
}

// resealer re-seals token files to [TokenRecipients], each opened with
// the first key set of tries that opens it. The expired sessions the
// recipients' sweeps report are queued, and their sections' files
// re-sealed in turn by drain.
type resealer struct {
	storeRoot string
	tries     [][]age.Identity
	// stored and snap are [TokenRecipients]' fallbacks for a store without
	// identity.pub.
	stored []age.Identity
	snap   *session.Snapshot
	now    func() time.Time
	queue  []session.Meta
}

// file re-seals the token file f (<profile uid>-<section uid>.age) to the
// recipients computed under its lock (oauth.Reseal). No file is no error.
// Errors name the file.
func (r *resealer) file(ctx context.Context, f string) error {
	puid, suid, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), ".age"), "-")
	recipients := func() ([]string, error) { // called by Reseal under the file's lock
		rs, exp, err := tokenRecipients(r.storeRoot, puid, suid, r.stored, r.snap, r.now())
		r.queue = append(r.queue, exp...)
		return rs, err
	}
	err := error(mapi.Errorf(mapi.NoAccess, "no identity at hand opens it"))
	for _, ids := range r.tries {
		if err = oauth.Reseal(ctx, f, ids, recipients); err == nil {
			return nil
		}
	}
	return mapi.Wrap(mapi.AsError(err).Code, err, "cannot re-seal the OAuth 2.0 token file "+f)
}

// expired re-seals the token files of the sessions ms, then drains the
// queue; it returns the errors of ms's own files.
func (r *resealer) expired(ctx context.Context, ms []session.Meta) []error {
	var errs []error
	for _, m := range ms {
		for _, f := range tokenFilesOf(r.storeRoot, m.ProfileUID, m.SectionUIDs) {
			if err := r.file(ctx, f); err != nil {
				errs = append(errs, err)
			}
		}
	}
	r.drain(ctx)
	return errs
}

// drain re-seals the token files of the queued expired sessions, best
// effort. Each sweep reports a session once, so the queue runs dry.
func (r *resealer) drain(ctx context.Context) {
	for len(r.queue) > 0 {
		m := r.queue[0]
		r.queue = r.queue[1:]
		for _, f := range tokenFilesOf(r.storeRoot, m.ProfileUID, m.SectionUIDs) {
			_ = r.file(ctx, f)
		}
	}
}

// tokenFilesOf lists the token files of the store at storeRoot that
// belong to one of the section uids of profile profileUID ("": of any
// profile): <profile uid>-<section uid>.age.
func tokenFilesOf(storeRoot, profileUID string, uids []string) []string {
	dir := filepath.Dir(oauth.Path(storeRoot, "p", "s"))
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		puid, rest, ok := strings.Cut(e.Name(), "-")
		if !ok || !e.Type().IsRegular() || profileUID != "" && puid != profileUID {
			continue
		}
		for _, uid := range uids {
			if uid != "" && rest == uid+".age" {
				out = append(out, filepath.Join(dir, e.Name()))
				break
			}
		}
	}
	return out
}
