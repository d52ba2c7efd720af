package term

import (
	"context"
	"strconv"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Passphrase returns how an encrypted identity's passphrase is read (SPEC
// §4, §9): from the file descriptor whose number fd holds (the value of
// $MAPICTL_PASSPHRASE_FD; "" for none; [PassphraseFromFD]), else, when
// canPrompt() (asked only then), asked of p without echo under ctx, else MAPI_E_UNCONFIGURED
// (78) with the hint naming MAPICTL_PASSPHRASE_FD, as for every secret
// with no terminal to ask on. An fd that is not a number is
// MAPI_E_INVALID_PARAMETER. The result is a secure.PassphraseFunc.
func Passphrase(ctx context.Context, p Prompter, canPrompt func() bool, fd string) func(prompt string) ([]byte, error) {
	return func(prompt string) ([]byte, error) {
		if fd != "" {
			n, err := strconv.Atoi(fd)
			if err != nil || n < 0 {
				return nil, mapi.Errorf(mapi.InvalidParameter, "MAPICTL_PASSPHRASE_FD is not a file descriptor number")
			}
			return PassphraseFromFD(n)
		}
		if !canPrompt() {
			return nil, mapi.Errorf(mapi.Unconfigured, "the identity file is passphrase-protected and no terminal is available").
				WithHint("set MAPICTL_PASSPHRASE_FD to a file descriptor that carries the passphrase (e.g. MAPICTL_PASSPHRASE_FD=3 mapictl … 3<passphrase-file), or log on a session first")
		}
		return p.Secret(ctx, prompt)
	}
}
