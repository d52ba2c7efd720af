package secure

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
)

// MayCreateStoreIdentity says whether identity new may go on to make the
// store identity at root, checked before it asks for any passphrase: nil
// when identity.txt is there (writing it then fails as a collision) or
// when nothing in the store is sealed to it; else [CheckNewStoreIdentity]'s
// NoAccess (SPEC §4: a new key would strand what is sealed to the lost one).
func MayCreateStoreIdentity(root string) error {
	if _, err := os.Lstat(filepath.Join(root, storeIdentityFile)); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return CheckNewStoreIdentity(root)
}

// WriteIdentityFile writes k's identity file ([MarshalIdentityFile]:
// encrypted with passphrase unless it is empty, stamped with now) to path,
// a new private file. Errors: MAPI_E_COLLISION when path exists (it is
// left as it is), MAPI_E_DISK_ERROR for I/O.
func WriteIdentityFile(path string, k *KeyPair, passphrase []byte, now time.Time) error {
	data, err := MarshalIdentityFile(k, passphrase, now)
	if err != nil {
		return err
	}
	if err := fsutil.CreateExclusive(path, data); err != nil {
		if os.IsExist(err) {
			return mapi.Errorf(mapi.Collision, "%s already exists", path)
		}
		return mapi.Wrap(mapi.DiskError, err, "write identity")
	}
	return nil
}

// StoreRecipientText is the text of the store's identity.pub at root,
// surrounding space trimmed, as identity show prints it; "" when it is
// missing, unreadable, not a regular file or blank.
func StoreRecipientText(root string) string {
	pub, err := fsutil.ReadRegular(filepath.Join(root, storeRecipientFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(pub))
}

// RecipientsInUse is what identity show prints: with the store identity in
// use (usesStore, [UsesStoreIdentity]), identity.pub's text at root when it
// holds any ([StoreRecipientText]), which asks for no passphrase; else the
// recipients of the identities ids loads ([RecipientsOf]), and their errors.
func RecipientsInUse(usesStore bool, root string, ids func() ([]age.Identity, error)) ([]string, error) {
	if usesStore {
		if r := StoreRecipientText(root); r != "" {
			return []string{r}, nil
		}
	}
	loaded, err := ids()
	if err != nil {
		return nil, err
	}
	return RecipientsOf(loaded)
}
