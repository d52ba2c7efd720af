package message

import (
	"errors"

	"github.com/mapictl/mapictl/internal/mapi"
)

// MAPIError maps an error of this package to the one commands report: a
// malformed message ([ErrMalformed]) is MAPI_E_CORRUPT_DATA (65), anything
// else the user gave MAPI_E_INVALID_PARAMETER (64), with err's text. An
// err that already holds a *mapi.Error is returned as it is.
func MAPIError(err error) error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return err
	}
	c := mapi.InvalidParameter
	if errors.Is(err, ErrMalformed) {
		c = mapi.CorruptData
	}
	return &mapi.Error{Code: c, Msg: err.Error(), Err: err}
}
