package profile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// IdentityPath is the store identity's file (identity.txt).
func (s *Store) IdentityPath() string { return filepath.Join(s.Root, IdentityFile) }

// WriteIdentity makes k the store identity: identity.txt, created
// exclusively (encrypted with passphrase unless it is empty; now stamps
// it), then identity.pub with k's recipient. Errors: Collision when
// identity.txt exists, DiskError for I/O. It does not check
// [secure.CheckNewStoreIdentity]: the caller does, before asking for a
// passphrase.
func (s *Store) WriteIdentity(k *secure.KeyPair, passphrase []byte, now time.Time) error {
	if err := secure.WriteIdentityFile(s.IdentityPath(), k, passphrase, now); err != nil {
		if mapi.IsCode(err, mapi.Collision) {
			return mapi.Errorf(mapi.Collision, "identity %s already exists", s.IdentityPath())
		}
		return err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(s.Root, RecipientFile), []byte(k.Recipient+"\n")); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write identity.pub")
	}
	return nil
}

// OwnKeys says how [Store.OwnRecipients] finds the recipients of the one
// who runs a command that creates a profile.
type OwnKeys struct {
	// UsesStore: the run decrypts with the store identity
	// ([secure.UsesStoreIdentity]).
	UsesStore bool
	// Identities loads the identities in use (it may prompt); called only
	// when the recipients cannot be had without them.
	Identities func() ([]age.Identity, error)
	// Now stamps a new identity file.
	Now time.Time
	// DryRun: write nothing; a missing store identity is stood in for by a
	// throwaway key (Created stays false).
	DryRun bool
}

// OwnRecipients returns the recipients of the identities in use: the
// owners of a profile this run creates. With the store identity in use
// and identity.txt missing, it creates the store identity (identity.txt
// and identity.pub) and reports created; but never while the store holds
// profiles or queued mail sealed to an identity.txt that went missing
// (SPEC §4, [secure.CheckNewStoreIdentity]): that is NoAccess naming the
// recipient they need, on a dry run as on a real one. With the store
// identity present, identity.pub answers when it holds a recipient;
// otherwise (and with -i or the environment) the identities are loaded.
func (s *Store) OwnRecipients(o OwnKeys) (recips []string, created bool, err error) {
	if o.UsesStore && o.DryRun {
		if _, err := os.Lstat(s.IdentityPath()); err != nil {
			// A dry run fails where the real run would (SPEC §4).
			if err := secure.CheckNewStoreIdentity(s.Root); err != nil {
				return nil, false, err
			}
			k, err := secure.GenerateKey(false)
			if err != nil {
				return nil, false, err
			}
			return []string{k.Recipient}, false, nil
		}
	}
	if o.UsesStore {
		if _, err := os.Lstat(s.IdentityPath()); errors.Is(err, fs.ErrNotExist) {
			if err := secure.CheckNewStoreIdentity(s.Root); err != nil {
				return nil, false, err
			}
			if err := s.Init(); err != nil {
				return nil, false, err
			}
			k, err := secure.GenerateKey(false)
			if err != nil {
				return nil, false, err
			}
			if err := s.WriteIdentity(k, nil, o.Now); err != nil {
				return nil, false, err
			}
			return []string{k.Recipient}, true, nil
		}
		if pub, err := fsutil.ReadRegular(filepath.Join(s.Root, RecipientFile)); err == nil {
			if r := strings.TrimSpace(string(pub)); r != "" {
				if n, err := secure.NormalizeRecipient(r); err == nil {
					return []string{n}, false, nil
				}
			}
		}
	}
	ids, err := o.Identities()
	if err != nil {
		return nil, false, err
	}
	rs, err := secure.RecipientsOf(ids)
	if err != nil {
		return nil, false, err
	}
	return rs, false, nil
}
