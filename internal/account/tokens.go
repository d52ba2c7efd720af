package account

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/session"
)

// TokenRecipients returns who the OAuth 2.0 token files of the store at
// storeRoot are sealed to (SPEC §8): the store's identity.pub (when it is
// missing or empty: the recipients of ids, else those session snap seals
// its spool to, its own key left out) and the recipient of every session
// that has not expired (session.List, which removes the expired ones).
//
// Every write of a token file seals it to what this returns at that
// moment, so an expired session drops out at the next write of the file
// (a refresh, a sign-in, a logon or a logoff), and a session logged on
// after a long-running process started (spool watch) is sealed in at the
// process's next refresh. Errors: those of session.List and of reading
// the identities' recipients.
func TokenRecipients(storeRoot string, ids []age.Identity, snap *session.Snapshot, now time.Time) ([]string, error) {
	rs, err := secure.ParseRecipientsFile(filepath.Join(storeRoot, profile.RecipientFile))
	if err != nil || len(rs) == 0 {
		switch {
		case len(ids) > 0:
			if rs, err = secure.RecipientsOf(ids); err != nil {
				return nil, err
			}
		case snap != nil:
			own, _ := secure.RecipientsOf([]age.Identity{snap.Key})
			rs = slices.DeleteFunc(slices.Clone(snap.SpoolRecipients), func(r string) bool { return slices.Contains(own, r) })
		}
	}
	live, err := session.List(storeRoot, now)
	if err != nil {
		return nil, err
	}
	for _, m := range live {
		if m.Recipient != "" && !slices.Contains(rs, m.Recipient) {
			rs = append(rs, m.Recipient)
		}
	}
	return rs, nil
}

// tokenSupply is one account's OAuth 2.0 token supply in one process
// (transport.TokenSource): an *oauth.Source whose recipients are computed
// afresh ([TokenRecipients]) before each call, any of which may write the
// token file. Safe for concurrent use (calls are serialized).
type tokenSupply struct {
	mu         sync.Mutex
	src        *oauth.Source
	recipients func() ([]string, error)
}

func (t *tokenSupply) prepare() error {
	rs, err := t.recipients()
	if err != nil {
		return err
	}
	t.src.Recipients = rs
	return nil
}

// Token returns the access token to present now, refreshed first when it
// expires within a minute (oauth.Source.Token).
func (t *tokenSupply) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.prepare(); err != nil {
		return "", err
	}
	return t.src.Token(ctx)
}

// Refresh returns a new access token after a server refused refused
// (oauth.Source.Refresh).
func (t *tokenSupply) Refresh(ctx context.Context, refused string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.prepare(); err != nil {
		return "", err
	}
	return t.src.Refresh(ctx, refused)
}

// Expiry is when the token [tokenSupply.Token] returns now expires; zero
// when unknown.
func (t *tokenSupply) Expiry(ctx context.Context) (time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.prepare(); err != nil {
		return time.Time{}, err
	}
	return t.src.Expiry(ctx)
}
