package secure

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// PassphraseFunc returns the passphrase for the identity file named in prompt
// (used for passphrase-encrypted age identity files and encrypted SSH keys).
// Called lazily: only when a file actually needs it, at most once per file per
// process (the decrypted identities are cached). An *mapi.Error it returns
// (e.g. UserCancel) reaches the caller of [Decrypt] unchanged.
type PassphraseFunc func(prompt string) ([]byte, error)

// Source says where identities come from, in SPEC §4's order of precedence,
// never mixed: Files if any; else KeyText and/or KeyFile (environment
// variables) if either is set; else StoreFile.
type Source struct {
	Files     []string // --identity FILE, repeatable
	KeyText   string   // $MAPICTL_IDENTITY: identity file text itself
	KeyFile   string   // $MAPICTL_IDENTITY_FILE
	StoreFile string   // the store's identity.txt

	// Passphrase unlocks encrypted identities. nil: an encrypted identity
	// fails, when it is needed, with NoAccess and a hint about
	// MAPICTL_PASSPHRASE_FD.
	Passphrase PassphraseFunc

	// Warnf, if set, receives warnings (e.g. an identity file readable by
	// group or others). Warnings never hold a secret.
	Warnf func(format string, args ...any)
}

// LoadIdentities parses the identities of the first non-empty tier of src.
//
// A missing StoreFile is NoAccess: in a store that holds profiles or queued
// mail (sealed to the lost identity) it names the recipient needed, from
// identity.pub, with the hint to restore identity.txt or pass -i (see
// [CheckNewStoreIdentity]); in an empty store the hint is "create a profile
// first: mapictl profile create NAME". A missing -i or KeyFile file is NoAccess naming
// the path; other read failures are DiskError; text that does not parse is
// InvalidParameter (naming file and line, never the content). Accepted:
// AGE-SECRET-KEY-1 (X25519), AGE-SECRET-KEY-PQ-1 (hybrid), AGE-PLUGIN-…
// (prompting through the UI set by [SetPluginUI]), SSH private keys
// (encrypted ones through src.Passphrase) and passphrase-encrypted age
// identity files (binary or armored). Nothing is prompted here: encrypted
// identities are unlocked by the first decryption that needs them.
func LoadIdentities(src Source) ([]age.Identity, error) {
	l := loader{src: src}
	switch {
	case len(src.Files) > 0:
		var ids []age.Identity
		for _, f := range src.Files {
			got, err := l.file(f, false)
			if err != nil {
				return nil, err
			}
			ids = append(ids, got...)
		}
		return ids, nil
	case src.KeyText != "" || src.KeyFile != "":
		var ids []age.Identity
		if src.KeyText != "" {
			got, err := l.parse("$MAPICTL_IDENTITY", []byte(src.KeyText))
			if err != nil {
				return nil, err
			}
			ids = append(ids, got...)
		}
		if src.KeyFile != "" {
			got, err := l.file(src.KeyFile, false)
			if err != nil {
				return nil, err
			}
			ids = append(ids, got...)
		}
		return ids, nil
	case src.StoreFile != "":
		// The store's own key is never read through a symbolic link: a link
		// could hand mapictl someone else's key, or read one from elsewhere.
		if fi, err := os.Lstat(src.StoreFile); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, mapi.Errorf(mapi.NoAccess, "identity file %q is a symbolic link; refusing to follow it", src.StoreFile).
				WithHint("replace the link with the key file itself, or pass the key with -i FILE")
		}
		return l.file(src.StoreFile, true)
	}
	return nil, mapi.Errorf(mapi.NoAccess, "no identity configured").WithHint(hintCreateProfile)
}

// loader parses identity files for one LoadIdentities call.
type loader struct{ src Source }

func (l loader) warnf(format string, args ...any) {
	if l.src.Warnf != nil {
		l.src.Warnf(format, args...)
	}
}

// file reads and parses the identity file at path; store says it is the
// store's identity.txt (a missing one gets the create-a-profile hint).
func (l loader) file(path string, store bool) ([]age.Identity, error) {
	b, err := readLimited(path, identityFileLimit)
	if errors.Is(err, fs.ErrNotExist) {
		if store {
			if sealed := sealedInStore(filepath.Dir(path)); sealed != "" {
				return nil, missingStoreIdentity(path, sealed)
			}
			return nil, mapi.Errorf(mapi.NoAccess, "identity file %q does not exist", path).WithHint(hintCreateProfile)
		}
		return nil, mapi.Errorf(mapi.NoAccess, "identity file %q does not exist", path)
	}
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			l.warnf("identity file %q is readable by others (mode %#o): run chmod 600 %q", path, fi.Mode().Perm(), path)
		}
	}
	return l.parse(path, b)
}

// Store layout (SPEC §3) as far as identities care: the store identity and
// its recipient, and the places that hold what is sealed to it.
const (
	storeIdentityFile  = "identity.txt"
	storeRecipientFile = "identity.pub"
)

var sealedDirs = []struct{ dir, what string }{
	{"profiles", "profiles"},
	{filepath.Join("spool", "outbox"), "queued mail"},
	{filepath.Join("spool", "failed"), "failed mail"},
}

// CheckNewStoreIdentity says whether a new store identity (identity.txt and
// identity.pub) may be made in the store at root (SPEC §4): nil when the
// store holds no profile (profiles/*.age) and no message in its spool
// (spool/outbox, spool/failed), else NoAccess naming the recipient they are
// sealed to (from identity.pub) with the hint to restore identity.txt or
// pass -i. A new key there would be written over identity.pub and strand
// every profile and message. It does not look at identity.txt itself: the
// caller makes a new identity only when that is missing.
func CheckNewStoreIdentity(root string) error {
	if sealed := sealedInStore(root); sealed != "" {
		return missingStoreIdentity(filepath.Join(root, storeIdentityFile), sealed)
	}
	return nil
}

// sealedInStore names what the store at root holds sealed to its identity
// ("profiles", "profiles and queued mail", ...), "" when nothing. Temp files
// (a leading dot) and lock files do not count; a directory that cannot be
// read counts as holding something (never guess that nothing is there).
func sealedInStore(root string) string {
	var found []string
	for _, d := range sealedDirs {
		ents, err := os.ReadDir(filepath.Join(root, d.dir))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		has := err != nil
		for _, e := range ents {
			if n := e.Name(); !strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".age") {
				has = true
				break
			}
		}
		if has {
			found = append(found, d.what)
		}
	}
	switch len(found) {
	case 0:
		return ""
	case 1:
		return found[0]
	}
	return strings.Join(found[:len(found)-1], ", ") + " and " + found[len(found)-1]
}

// missingStoreIdentity is the error for a store identity file at path that
// is missing while the store holds sealed (what names it).
func missingStoreIdentity(path, sealed string) *mapi.Error {
	e := mapi.Errorf(mapi.NoAccess, "identity file %q does not exist, and the store holds %s sealed to it", path, sealed)
	if r := storeRecipient(filepath.Dir(path)); r != "" {
		e.Msg += ": they need the identity of " + r + " (from " + storeRecipientFile + ")"
	}
	return e.WithHint(hintRestoreIdentity)
}

// storeRecipient is the recipient in identity.pub at root, "" when there is
// none that parses (a symbolic link is not followed).
func storeRecipient(root string) string {
	p := filepath.Join(root, storeRecipientFile)
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	b, err := readLimited(p, 64<<10)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			if n, err := NormalizeRecipient(l); err == nil {
				return n
			}
			return ""
		}
	}
	return ""
}
