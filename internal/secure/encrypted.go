package secure

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/mapictl/mapictl/internal/mapi"
)

// unlocked caches the identities of passphrase-encrypted identity files that
// were decrypted in this process, by SHA-256 of the encrypted contents, so a
// passphrase is asked at most once per file per process.
var unlocked sync.Map // [sha256.Size]byte -> []age.Identity

// encryptedIdentity is a passphrase-encrypted age identity file. It asks for
// the passphrase only when a decryption reaches it (age tries native
// identities first), then caches the identities inside.
type encryptedIdentity struct {
	name     string
	contents []byte
	pass     PassphraseFunc

	mu  sync.Mutex
	ids []age.Identity
	err error // a failed unlock is not retried by this value
}

func (l loader) encrypted(name string, b []byte) age.Identity {
	return &encryptedIdentity{name: name, contents: b, pass: l.src.Passphrase}
}

// Unwrap implements age.Identity. Errors: NoAccess for a wrong passphrase or
// none available (with a hint), the PassphraseFunc's own error, CorruptData
// for a damaged file or content that is not identities.
func (i *encryptedIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	ids, err := i.unlock()
	if err != nil {
		return nil, err
	}
	return firstFileKey(ids, func(id age.Identity) ([]byte, error) { return id.Unwrap(stanzas) })
}

// recipientStrings returns the recipients of the identities inside, which
// unlocks the file.
func (i *encryptedIdentity) recipientStrings() ([]string, error) {
	ids, err := i.unlock()
	if err != nil {
		return nil, err
	}
	return RecipientsOf(ids)
}

func (i *encryptedIdentity) unlock() ([]age.Identity, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.ids != nil || i.err != nil {
		return i.ids, i.err
	}
	key := sha256.Sum256(i.contents)
	if v, ok := unlocked.Load(key); ok {
		i.ids = v.([]age.Identity)
		return i.ids, nil
	}
	i.ids, i.err = i.decrypt()
	if i.err == nil {
		unlocked.Store(key, i.ids)
	}
	return i.ids, i.err
}

func (i *encryptedIdentity) decrypt() ([]age.Identity, error) {
	var r io.Reader = bytes.NewReader(i.contents)
	if bytes.HasPrefix(bytes.TrimSpace(i.contents), []byte(armor.Header)) {
		r = armor.NewReader(bytes.NewReader(bytes.TrimSpace(i.contents)))
	}
	u := &scryptUnlocker{name: i.name, pass: i.pass}
	d, err := age.Decrypt(r, u)
	var nm *age.NoIdentityMatchError
	if errors.As(err, &nm) {
		return nil, mapi.Errorf(mapi.InvalidParameter, "identity file %q is encrypted with age but not with a passphrase", i.name)
	}
	if err != nil {
		var me *mapi.Error
		if errors.As(err, &me) {
			return nil, me
		}
		return nil, mapi.Wrap(mapi.CorruptData, err, fmt.Sprintf("cannot decrypt identity file %q", i.name))
	}
	plain, err := io.ReadAll(io.LimitReader(d, identityFileLimit+1))
	if err != nil {
		return nil, mapi.Wrap(mapi.CorruptData, err, fmt.Sprintf("cannot decrypt identity file %q", i.name))
	}
	ids, err := parseIdentityLines(i.name, plain)
	clear(plain)
	if err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "encrypted identity file %q does not hold identities", i.name)
	}
	return ids, nil
}

// scryptUnlocker is an age.Identity that asks for the passphrase only when it
// meets the single scrypt stanza of an encrypted identity file.
type scryptUnlocker struct {
	name string
	pass PassphraseFunc
}

func (u *scryptUnlocker) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	if len(stanzas) != 1 || stanzas[0].Type != "scrypt" {
		return nil, age.ErrIncorrectIdentity
	}
	if u.pass == nil {
		return nil, mapi.Errorf(mapi.NoAccess, "identity file %q is encrypted and no passphrase is available", u.name).
			WithHint(hintPassphraseFD)
	}
	p, err := u.pass(fmt.Sprintf("Enter passphrase for identity file %q:", u.name))
	if err != nil {
		return nil, passphraseError(err, u.name)
	}
	id, err := age.NewScryptIdentity(string(p))
	clear(p)
	if err != nil {
		return nil, mapi.Errorf(mapi.NoAccess, "empty passphrase for identity file %q", u.name)
	}
	k, err := id.Unwrap(stanzas)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return nil, mapi.Errorf(mapi.NoAccess, "incorrect passphrase for identity file %q", u.name)
	}
	return k, err
}

// passphraseError keeps an *mapi.Error from a PassphraseFunc (e.g.
// UserCancel) and turns anything else into NoAccess.
func passphraseError(err error, name string) error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return me
	}
	return mapi.Wrap(mapi.NoAccess, err, fmt.Sprintf("cannot read the passphrase for %q", name))
}
