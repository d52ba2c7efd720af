package secure

import (
	"errors"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// hintPassphraseFD is the hint given when an encrypted identity needs a
// passphrase and no way to ask for one was configured.
const hintPassphraseFD = "set MAPICTL_PASSPHRASE_FD to a file descriptor that holds the passphrase, or run on a terminal"

// hintCreateProfile is the hint given when the store has no identity yet.
const hintCreateProfile = "create a profile first (mapictl profile create NAME), or only an identity (mapictl identity new) to receive a profile shared with you"

// hintRestoreIdentity is the hint given when the store's identity is
// missing while profiles or mail sealed to it exist: a new identity would
// strand them, so mapictl never makes one then (SPEC §4).
const hintRestoreIdentity = "restore identity.txt from your backup or pass -i FILE; no new identity is made while profiles or mail sealed to the old one exist"

// decryptError maps an error from age's decryption to a *mapi.Error: an
// *mapi.Error already in the chain is kept (a cancelled prompt, a wrong
// passphrase), no matching identity is NoAccess, anything else CorruptData.
func decryptError(err error, what string) error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return me
	}
	var nm *age.NoIdentityMatchError
	if errors.As(err, &nm) {
		return &mapi.Error{Code: mapi.NoAccess, Msg: "no identity can decrypt the " + what, Err: nm}
	}
	return mapi.Wrap(mapi.CorruptData, err, "cannot decrypt the "+what)
}
