package session

import (
	"strings"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

// tokenFileLimit bounds a session file (a token is about 2 KiB for a
// post-quantum key).
const tokenFileLimit = 64 << 10

// ReadTokenFile returns the session token held in the regular file path
// (--session-file), one trailing newline (LF or CRLF) removed. A file that
// cannot be read, is larger than a token can be, or is empty is
// MAPI_E_LOGON_FAILED; the messages name the file, never its content.
func ReadTokenFile(path string) (string, error) {
	b, err := fsutil.ReadRegular(path)
	if err != nil {
		return "", mapi.Errorf(mapi.LogonFailed, "cannot read the session file %q", path).
			WithHint("write it with: mapictl session logon -o json | jq -r .token > FILE")
	}
	if len(b) > tokenFileLimit {
		return "", mapi.Errorf(mapi.LogonFailed, "the session file %q is too large to hold a token", path)
	}
	tok := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if tok == "" {
		return "", mapi.Errorf(mapi.LogonFailed, "the session file %q is empty", path)
	}
	return tok, nil
}
