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
	// SectionUIDs are the session's sections (its metadata's); every
	// token file of one of them is re-sealed, whatever the profile.
	SectionUIDs []string
	// Session is the logged-off session's snapshot when its token is at
	// hand: its key is tried first. nil otherwise.
	Session *session.Snapshot
	// Identities are the store's, tried when the session's key does not
	// open a file (or is not at hand); nil or failing: not tried.
	Identities func() ([]age.Identity, error)
	Now        time.Time
}

// Reseal re-seals each token file of l.SectionUIDs to [TokenRecipients]
// (which no longer include the session's), opened with the session's key,
// else the store's identities. It returns one error per file it could not
// re-seal (naming the file, never a secret): such a file is left as it
// was, still sealed to the session's key until its next write.
func (l LogoffTokens) Reseal(ctx context.Context) []error {
	files := tokenFilesOf(l.StoreRoot, l.SectionUIDs)
	if len(files) == 0 {
		return nil
	}
	var tries [][]age.Identity
	if l.Session != nil && l.Session.Key != nil {
		tries = append(tries, []age.Identity{l.Session.Key})
	}
	var stored []age.Identity
	if l.Identities != nil {
		if ids, err := l.Identities(); err == nil && len(ids) > 0 {
			stored = ids
			tries = append(tries, ids)
		}
	}
	rs, err := TokenRecipients(l.StoreRoot, stored, l.Session, l.Now)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, f := range files {
		var err error = mapi.Errorf(mapi.NoAccess, "no identity at hand opens it")
		for _, ids := range tries {
			if err = oauth.Reseal(ctx, f, ids, rs); err == nil {
				break
			}
		}
		if err != nil {
			errs = append(errs, mapi.Wrap(mapi.AsError(err).Code, err, "cannot re-seal the OAuth 2.0 token file "+f))
		}
	}
	return errs
}

// tokenFilesOf lists the token files of the store at storeRoot that
// belong to one of the section uids (<profile uid>-<section uid>.age).
func tokenFilesOf(storeRoot string, uids []string) []string {
	dir := filepath.Dir(oauth.Path(storeRoot, "p", "s"))
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		for _, uid := range uids {
			if uid != "" && e.Type().IsRegular() && strings.HasSuffix(e.Name(), "-"+uid+".age") {
				out = append(out, filepath.Join(dir, e.Name()))
				break
			}
		}
	}
	return out
}
