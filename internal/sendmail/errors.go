package sendmail

import (
	"errors"

	"github.com/mapictl/mapictl/internal/mapi"
)

// MAPIError maps an error of [Parse] run as program name: a *UsageError is
// MAPI_E_INVALID_PARAMETER (64), "NAME: MSG", with a hint to the help;
// other errors are returned as they are.
func MAPIError(name string, err error) error {
	var ue *UsageError
	if errors.As(err, &ue) {
		return mapi.Errorf(mapi.InvalidParameter, "%s: %s", name, ue.Msg).
			WithHint("see 'mapictl help sendmail' and docs/sendmail.md for the options")
	}
	return err
}
