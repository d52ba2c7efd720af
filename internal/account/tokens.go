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

// TokenRecipients returns who the OAuth 2.0 token file of section
// sectionUID of profile profileUID, in the store at storeRoot, is sealed
// to (SPEC §8): the store's identity.pub and the recipients of ids, the
// identities in use (when identity.pub is missing or empty: those of ids,
// else those session snap seals its spool to, its own key left out), and
// the recipient of every live session that holds that
// section of that profile (its metadata lists sectionUID and names
// profileUID). A session of another profile or section never opens the
// file.
//
// It sweeps the sessions directory (session.Sweep); the expired sessions
// removed are dropped (tokenRecipients reports them, for a re-seal). A
// directory that cannot be swept (read-only) is only read (session.List):
// so a command that only reads a token file does not fail there.
// Every write of a token file seals it to what this returns at that
// moment. Errors: those of session.Sweep and of reading the identities'
// recipients.
func TokenRecipients(storeRoot, profileUID, sectionUID string, ids []age.Identity, snap *session.Snapshot, now time.Time) ([]string, error) {
	rs, _, err := tokenRecipients(storeRoot, profileUID, sectionUID, ids, snap, now)
	return rs, err
}

// tokenRecipients is [TokenRecipients], with the expired sessions its
// sweep removed (whose sections' token files may still be sealed to
// their keys).
func tokenRecipients(storeRoot, profileUID, sectionUID string, ids []age.Identity, snap *session.Snapshot, now time.Time) ([]string, []session.Meta, error) {
	rs, err := storeRecipients(storeRoot, ids, snap)
	if err != nil {
		return nil, nil, err
	}
	live, expired, err := session.Sweep(storeRoot, now)
	if err != nil {
		// A sessions directory that cannot be locked (read-only, or held
		// too long) is read instead: the live sessions are the same; the
		// expired ones stay for a later sweep to report.
		if live, err = session.List(storeRoot, now); err != nil {
			return nil, nil, err
		}
		expired = nil
	}
	for _, m := range live {
		if holdsTokenFile(m, profileUID, sectionUID) && !slices.Contains(rs, m.Recipient) {
			rs = append(rs, m.Recipient)
		}
	}
	return rs, expired, nil
}

// holdsTokenFile reports whether session m is sealed into the token file
// of section sectionUID of profile profileUID: it holds that section of
// that profile, and names its key's recipient.
func holdsTokenFile(m session.Meta, profileUID, sectionUID string) bool {
	return m.Recipient != "" && profileUID != "" && sectionUID != "" &&
		m.ProfileUID == profileUID && slices.Contains(m.SectionUIDs, sectionUID)
}

// storeRecipients is the store's part of [TokenRecipients]: identity.pub's
// recipients and those of ids, the identities in use (-i,
// MAPICTL_IDENTITY, MAPICTL_IDENTITY_FILE, else the store's own), so that
// the keys that opened the profile open the file they write too; a
// recipient of ids that age cannot seal to together with identity.pub's
// (post-quantum beside classic, or the reverse) is left out. Without
// identity.pub: ids' recipients, else those session snap seals its spool
// to, its own key left out.
func storeRecipients(storeRoot string, ids []age.Identity, snap *session.Snapshot) ([]string, error) {
	rs, err := secure.ParseRecipientsFile(filepath.Join(storeRoot, profile.RecipientFile))
	if err == nil && len(rs) > 0 {
		own, err := secure.RecipientsOf(ids)
		if err != nil {
			return nil, err
		}
		pq := secure.IsPQ(rs[0])
		for _, r := range own {
			if secure.IsPQ(r) == pq && !slices.Contains(rs, r) {
				rs = append(rs, r)
			}
		}
		return rs, nil
	}
	switch {
	case len(ids) > 0:
		return secure.RecipientsOf(ids)
	case snap != nil:
		own, _ := secure.RecipientsOf([]age.Identity{snap.Key})
		return slices.DeleteFunc(slices.Clone(snap.SpoolRecipients), func(r string) bool { return slices.Contains(own, r) }), nil
	}
	return nil, nil
}

// tokenSupply is one account's OAuth 2.0 token supply in one process
// (transport.TokenSource): an *oauth.Source whose Recipients are computed
// afresh ([TokenRecipients]) whenever it asks, under the file's lock
// before each write. The expired sessions those computations swept away
// are re-sealed out of their sections' token files after the call, once
// the file's lock is released ([resealer]), with the keys this process
// holds (no prompt). Safe for concurrent use (calls are serialized).
type tokenSupply struct {
	mu  sync.Mutex
	src *oauth.Source
	// cleanup re-seals the token files of expired sessions; nil: none.
	cleanup *resealer
	// expired are the sessions swept during the call under way.
	expired []session.Meta
}

// newTokenSupply is the supply of src, whose Recipients it sets from
// recipients (the file's recipients, and the expired sessions its sweep
// removed).
func newTokenSupply(src *oauth.Source, cleanup *resealer, recipients func() ([]string, []session.Meta, error)) *tokenSupply {
	t := &tokenSupply{src: src, cleanup: cleanup}
	// Called by src during a call, holding t.mu.
	src.Recipients = func() ([]string, error) {
		rs, exp, err := recipients()
		t.expired = append(t.expired, exp...)
		return rs, err
	}
	return t
}

// finish re-seals the token files of the sessions swept during the call,
// best effort (a file left sealed to an expired key is re-sealed at its
// next use, by oauth.Source). Call it holding t.mu, outside the file's
// lock.
func (t *tokenSupply) finish(ctx context.Context) {
	exp := t.expired
	t.expired = nil
	if t.cleanup != nil && len(exp) > 0 {
		_ = t.cleanup.expired(ctx, exp)
	}
}

// Token returns the access token to present now, refreshed first when it
// expires within a minute (oauth.Source.Token).
func (t *tokenSupply) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.finish(ctx)
	return t.src.Token(ctx)
}

// Refresh returns a new access token after a server refused refused
// (oauth.Source.Refresh).
func (t *tokenSupply) Refresh(ctx context.Context, refused string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.finish(ctx)
	return t.src.Refresh(ctx, refused)
}

// Expiry is when the token [tokenSupply.Token] returns now expires; zero
// when unknown.
func (t *tokenSupply) Expiry(ctx context.Context) (time.Time, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.finish(ctx)
	return t.src.Expiry(ctx)
}
