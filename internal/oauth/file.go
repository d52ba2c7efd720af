package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/gofrs/flock"
	"golang.org/x/oauth2"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// record is a token file's plaintext (package doc).
type record struct {
	Version      int    `json:"version"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type,omitempty"`
	Expiry       string `json:"expiry,omitempty"` // RFC 3339; "" unknown
	Binding      string `json:"binding"`
	// TokenURL is the token endpoint the tokens were issued by, resolved
	// when they were; "" in a file written before it was recorded.
	TokenURL string `json:"token_url,omitempty"`
	// Seeds are the digests of every seed the file was started from.
	Seeds []string `json:"seeds,omitempty"`
	// Recipients are who the file is sealed to; nil in a file written
	// before they were recorded.
	Recipients []string `json:"recipients,omitempty"`
	// LegacySeed is the one seed digest of a file written before Seeds;
	// readFile moves it into Seeds.
	LegacySeed string `json:"seed,omitempty"`
}

// hasSeed reports whether the file was started from the seed with digest d.
func (r *record) hasSeed(d string) bool { return slices.Contains(r.Seeds, d) }

// addSeed records the seed digest d ("" none).
func (r *record) addSeed(d string) {
	if d != "" && !r.hasSeed(d) {
		r.Seeds = append(r.Seeds, d)
	}
}

// expiry is when r's access token expires; zero when unknown.
func (r *record) expiry() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, r.Expiry)
	return t
}

// setExpiry records t (zero: unknown).
func (r *record) setExpiry(t time.Time) {
	r.Expiry = ""
	if !t.IsZero() {
		r.Expiry = t.UTC().Format(time.RFC3339)
	}
}

// validAt reports whether r's access token may be presented at now: there
// is one, and it does not expire within a minute (unknown expiry: until a
// server refuses it).
func (r *record) validAt(now time.Time) bool {
	if r.AccessToken == "" {
		return false
	}
	exp := r.expiry()
	return exp.IsZero() || exp.Sub(now) > time.Minute
}

// readFile opens the token file at path with ids. No file is (nil, nil).
// Errors: 77 NoAccess (sealed to other keys), 65 (not a token file), 74.
func readFile(path string, ids []age.Identity) (*record, error) {
	ct, err := fsutil.ReadRegular(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "cannot read the OAuth 2.0 token file")
	}
	var pt []byte
	if bytes.HasPrefix(bytes.TrimSpace(ct), []byte(armor.Header)) {
		pt, err = secure.DecryptArmored(string(ct), ids)
	} else {
		pt, err = secure.Decrypt(ct, ids)
	}
	if err != nil {
		me := mapi.AsError(err)
		if me.Code == mapi.NoAccess {
			return nil, mapi.Errorf(mapi.NoAccess, "no identity at hand can open the OAuth 2.0 token file %s", path)
		}
		return nil, mapi.Wrap(me.Code, me, "the OAuth 2.0 token file "+path)
	}
	var r record
	if err := json.Unmarshal(pt, &r); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "the OAuth 2.0 token file %s is not a token file", path)
	}
	if r.Version != 1 {
		return nil, mapi.Errorf(mapi.CorruptData, "the OAuth 2.0 token file %s has version %d; this mapictl knows 1", path, r.Version)
	}
	r.addSeed(r.LegacySeed)
	r.LegacySeed = ""
	return &r, nil
}

// writeFile seals r to recipients, which it records, and replaces the
// file at path atomically (0600, its directory 0700). Call it holding the
// lock.
func writeFile(path string, r *record, recipients []string) error {
	if len(recipients) == 0 {
		return mapi.Errorf(mapi.CallFailed, "no recipients to seal the OAuth 2.0 token file to")
	}
	r.Version = 1
	r.Recipients = slices.Clone(recipients)
	r.LegacySeed = ""
	pt, err := json.Marshal(r)
	if err != nil {
		return mapi.Wrap(mapi.CallFailed, err, "encode the OAuth 2.0 token file")
	}
	ct, err := secure.Encrypt(pt, recipients)
	if err != nil {
		return err
	}
	if err := fsutil.MkdirPrivate(filepath.Dir(path)); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "cannot create the OAuth 2.0 token directory")
	}
	if err := fsutil.WriteFileAtomic(path, ct); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "cannot write the OAuth 2.0 token file")
	}
	return nil
}

// lock takes the exclusive lock of the token file at path, waiting up to
// timeout (0: defaultTimeout); ctx ends the wait. Another holder past the
// timeout is 75 MAPI_E_BUSY; ctx cancelled is 130, its deadline 75.
func lock(ctx context.Context, path string, timeout time.Duration) (*flock.Flock, error) {
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	if err := fsutil.MkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "cannot create the OAuth 2.0 token directory")
	}
	fl := flock.New(lockPath(path), flock.SetPermissions(fsutil.FileMode))
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ok, err := fl.TryLock()
	if err == nil && !ok {
		ok, err = fl.TryLockContext(wctx, 20*time.Millisecond)
	}
	switch {
	case ok:
		return fl, nil
	case errors.Is(ctx.Err(), context.Canceled):
		return nil, mapi.Errorf(mapi.UserCancel, "interrupted while waiting for the OAuth 2.0 token file's lock")
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return nil, mapi.Wrap(mapi.DiskError, err, "cannot lock the OAuth 2.0 token file")
	}
	return nil, mapi.Errorf(mapi.Busy, "another process held the OAuth 2.0 token file's lock for %s", timeout).
		WithExit(75).WithHint("try again later")
}

// unlock releases fl; the lock file stays (removing it would let a waiter
// lock a file that is no longer at the path).
func unlock(fl *flock.Flock) { _ = fl.Unlock() }

// Save writes tokens obtained by a logon dialog as the section's token
// file, under its lock: binding is [Binding] of the settings and servers,
// seedDigest the [Seed.Digest] of the section's seed now ("": none),
// tokenURL the token endpoint that issued tok (Endpoints.TokenURL; a
// refresh elsewhere is refused). Holding the lock it opens the file there
// with ids and keeps the seeds it records, adding seedDigest: a seed the
// file was ever started from (a session's older snapshot) never replaces
// the new tokens, whose refresh tokens the provider may have rotated
// (presenting one again is reuse). A file ids cannot open (77) or that is
// not a token file (65) is replaced, and its seeds forgotten: signing in
// is the user's explicit act. recipients is asked holding the lock, so a
// logoff that re-sealed the file meanwhile is not undone. Errors: 64 (no
// token), 70 (recipients named no one), recipients' errors, 74, 75 (lock),
// 130.
func Save(ctx context.Context, path string, tok *oauth2.Token, binding, seedDigest, tokenURL string, ids []age.Identity, recipients func() ([]string, error)) error {
	if tok == nil || tok.AccessToken == "" && tok.RefreshToken == "" {
		return mapi.Errorf(mapi.InvalidParameter, "no OAuth 2.0 token to save")
	}
	r := &record{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType,
		Binding: binding, TokenURL: tokenURL}
	r.setExpiry(tok.Expiry)
	fl, err := lock(ctx, path, 0)
	if err != nil {
		return err
	}
	defer unlock(fl)
	old, err := readFile(path, ids)
	switch {
	case err == nil && old != nil:
		r.Seeds = slices.Clone(old.Seeds)
	case err != nil && !mapi.IsCode(err, mapi.NoAccess) && !mapi.IsCode(err, mapi.CorruptData):
		return err
	}
	r.addSeed(seedDigest)
	rs, err := askRecipients(recipients)
	if err != nil {
		return err
	}
	return writeFile(path, r, rs)
}

// Reseal rewrites the token file at path (opened with ids) sealed to who
// recipients returns, asked holding its lock: logoff and the clean-up of
// expired sessions drop their keys, and a refresh or sign-in waiting for
// the lock meanwhile seals to who recipients returns then. No file is no
// error. Errors: 77 (ids cannot open it), 65, 70 (recipients named no
// one), recipients' errors, 74, 75 (lock), 130.
func Reseal(ctx context.Context, path string, ids []age.Identity, recipients func() ([]string, error)) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	fl, err := lock(ctx, path, 0)
	if err != nil {
		return err
	}
	defer unlock(fl)
	r, err := readFile(path, ids)
	if err != nil || r == nil {
		return err
	}
	rs, err := askRecipients(recipients)
	if err != nil {
		return err
	}
	return writeFile(path, r, rs)
}

// askRecipients is recipients(), which must name someone (70).
func askRecipients(recipients func() ([]string, error)) ([]string, error) {
	if recipients == nil {
		return nil, mapi.Errorf(mapi.CallFailed, "no recipients for the OAuth 2.0 token file")
	}
	rs, err := recipients()
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, mapi.Errorf(mapi.CallFailed, "no recipients to seal the OAuth 2.0 token file to")
	}
	return rs, nil
}

// Remove deletes the token file at path (credential delete), under its lock
// so that a refresh under way does not write it back; no file is no error.
// Errors: 74, 75 (lock).
func Remove(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	fl, err := lock(context.Background(), path, 0)
	if err != nil {
		return err
	}
	defer unlock(fl)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return mapi.Wrap(mapi.DiskError, err, "cannot remove the OAuth 2.0 token file")
	}
	return nil
}
