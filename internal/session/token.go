package session

import (
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// hintLogon is the hint of every unusable-token error.
const hintLogon = "log on again: eval \"$(mapictl session logon)\""

// logonFailed is the MAPI_E_LOGON_FAILED error of an unusable token. Its
// message never holds the token or its key.
func logonFailed(format string, args ...any) *mapi.Error {
	return mapi.Errorf(mapi.LogonFailed, format, args...).WithHint(hintLogon)
}

// ParseToken splits a session token "ID.AGE-SECRET-KEY-…" into its ID and
// age identity (X25519 or post-quantum hybrid). Surrounding white space is
// ignored. Errors: MAPI_E_LOGON_FAILED for any malformed token; the message
// never echoes the token.
func ParseToken(token string) (id string, key age.Identity, err error) {
	token = strings.TrimSpace(token)
	id, secret, ok := strings.Cut(token, ".")
	if !ok || !mapi.ValidID(id) {
		return "", nil, logonFailed("malformed session token: want ID.AGE-SECRET-KEY-…")
	}
	key, err = secure.IdentityFromKey(secret)
	if err != nil {
		return "", nil, logonFailed("malformed session token: its key is not an age secret key")
	}
	return id, key, nil
}
