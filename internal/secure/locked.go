package secure

import (
	"bytes"
	"os"

	"github.com/mapictl/mapictl/internal/mapi"
)

// PassphraseLocked reports whether err, from loading a profile, is the
// store identity's passphrase that cannot be asked for: err is
// MAPI_E_UNCONFIGURED (no terminal to ask on) or MAPI_E_NO_ACCESS, getenv
// gives no MAPICTL_PASSPHRASE_FD, the run uses the store's identity
// ([UsesStoreIdentity] of files and getenv), and identityFile (the store's
// identity.txt) is a passphrase-encrypted age file, armored or binary. A
// sendmail run under cron queues its message for a later flush then.
func PassphraseLocked(err error, identityFile string, files []string, getenv func(string) string) bool {
	if !(mapi.IsCode(err, mapi.Unconfigured) || mapi.IsCode(err, mapi.NoAccess)) ||
		getenv("MAPICTL_PASSPHRASE_FD") != "" || !UsesStoreIdentity(files, getenv) {
		return false
	}
	b, rerr := os.ReadFile(identityFile)
	return rerr == nil && (bytes.Contains(b, []byte("BEGIN AGE ENCRYPTED FILE")) ||
		bytes.HasPrefix(b, []byte("age-encryption.org/v1")))
}
