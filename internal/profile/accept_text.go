package profile

import (
	"fmt"
	"io"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// CheckAccept refuses, before anything is asked, what accepting r may not
// do for the holder of ids given key, the fingerprint the accepting user
// checked out of band ("" for none): a document whose signature was
// removed after this store pinned a version of it; one not signed with key
// ([Review.CheckKey]); for a member (not an owner) without key, one signed
// with a key the pinned one did not endorse (the hint names the new
// fingerprint to check and pass); and, unless nothing is left to accept,
// what only an owner's new signed version may settle (an unsigned
// document, an older version, the same version with other content).
// Errors: NoAccess.
func (r *Review) CheckAccept(key string, ids []age.Identity) error {
	p := r.Profile
	if p.Signing == nil && p.Trust.Pin != nil {
		return mapi.Errorf(mapi.NoAccess, "profile %q has no signature, though this store verified version %d of it, signed with key %s: the signature was removed, so no one can accept this file",
			p.Name, p.Trust.Pin.Version, r.PinnedFingerprint).
			WithHint("ask an owner for the current file and bring it in with 'mapictl profile add FILE': it replaces this one")
	}
	if key != "" {
		if err := r.CheckKey(key); err != nil {
			return err
		}
	}
	if r.KeyReplaced && !r.Owner && key == "" {
		name := r.Profile.Name
		return mapi.Errorf(mapi.NoAccess, "profile %q is signed with a key (%s) that the pinned one (%s) did not endorse", name, r.Fingerprint, r.PinnedFingerprint).
			WithHint("check the new fingerprint with an owner, out of band, then run 'mapictl profile accept " + textsafe.ShellArg(name) + " --key " + r.Fingerprint + "'")
	}
	if r.Settled() || (r.Owner && r.needsWrite(p, ids)) {
		return nil
	}
	return pinOnlyRefusal(p)
}

// Settled reports whether there is nothing to accept: the document is
// verified and no credentials would be dropped.
func (r *Review) Settled() bool { return r.Profile.Trust.Verified && r.Dropped == nil }

// NeedsKey reports whether accepting without asking (--yes) needs the
// key's fingerprint (--key): while this store has no pin of the profile,
// unless the file is from before profiles had owners.
func (r *Review) NeedsKey() bool { return r.PinnedFingerprint == "" && !r.Legacy }

// WriteText writes to w, for the holder of ids, what accepting r means: who
// signed it, what ids read, every change since the version this store last
// verified (or every setting), the grants and drops, and what accepting
// does.
func (r *Review) WriteText(w io.Writer, ids []age.Identity) {
	p := r.Profile
	pf := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	pf("profile %s (uid %s), version %d: %s\n", p.Name, p.UID, p.Version, p.Trust.Reason)
	switch {
	case r.Legacy:
		pf("signing key: none (written before profiles had owners)\n")
	case r.Rotated:
		pf("signing key rotated by an owner: %s (endorsed by the pinned %s)\n", r.Fingerprint, r.PinnedFingerprint)
	case r.KeyReplaced:
		pf("signing key REPLACED: %s (this store pinned %s)\n", r.Fingerprint, r.PinnedFingerprint)
	case r.PinnedFingerprint == "":
		pf("signing key: %s (new to this store; check it with an owner)\n", r.Fingerprint)
	default:
		pf("signing key: %s (pinned)\n", r.Fingerprint)
	}
	if reads := r.Reads(ids); len(reads) > 0 {
		pf("you read: %s\n", strings.Join(reads, ", "))
	} else {
		pf("you read no section's credentials\n")
	}
	if r.Previous != nil {
		pf("changes since version %d, the last this store verified:\n", r.Previous.Version)
	} else {
		pf("settings (this store verified no earlier version):\n")
	}
	for _, c := range r.Changes {
		pf("  %s\n", c)
	}
	for _, g := range r.Grants {
		pf("  grant: %s\n", g)
	}
	for _, d := range r.Dropped {
		pf("  section %s: credentials no owner can open: removed on accept\n", d)
	}
	switch {
	case r.Owner && r.FreshKey:
		pf("accepting signs it with a fresh signing key, as a new version\n")
	case r.Owner:
		pf("accepting re-binds the credentials to these settings and signs it as a new version\n")
	case p.Trust.Signed:
		pf("accepting pins signing key %s at version %d\n", r.Fingerprint, p.Version)
	default:
		pf("only an owner can accept it: it is not signed by the key it names\n")
	}
}
