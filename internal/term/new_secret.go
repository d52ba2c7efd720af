package term

import (
	"bytes"
	"context"
	"io"
	"unicode"
	"unicode/utf8"

	"github.com/mapictl/mapictl/internal/mapi"
)

// ReadSecret reads a secret piped in on r (credential set
// --password-stdin): all of r, one trailing newline removed ([TrimNewline]).
// Errors: MAPI_E_DISK_ERROR when reading fails; MAPI_E_INVALID_PARAMETER
// for more than limit bytes or an empty secret.
func ReadSecret(r io.Reader, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read standard input")
	}
	if len(b) > limit {
		return nil, mapi.Errorf(mapi.InvalidParameter, "secret on standard input is too long")
	}
	b = TrimNewline(b)
	if len(b) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "empty secret on standard input")
	}
	return b, nil
}

// AskNewSecret asks p, without echo, for a new secret called what ("SMTP
// password"): "What:" then "Confirm what:", up to three rounds; an empty
// first entry or two entries that differ are reported to warn and asked
// again. After three rounds it is MAPI_E_INVALID_PARAMETER; p's errors
// (a cancel) end it at once.
func AskNewSecret(ctx context.Context, p Prompter, what string, warn func(format string, a ...any)) ([]byte, error) {
	for range 3 {
		a, err := p.Secret(ctx, capitalize(what)+":")
		if err != nil {
			return nil, err
		}
		b, err := p.Secret(ctx, "Confirm "+what+":")
		if err != nil {
			return nil, err
		}
		if len(a) == 0 {
			warn("empty %s, try again", what)
			continue
		}
		if bytes.Equal(a, b) {
			return a, nil
		}
		warn("the two entries differ, try again")
	}
	return nil, mapi.Errorf(mapi.InvalidParameter, "the %s was not confirmed", what)
}

// AskNewPassphrase asks p, without echo, for a new passphrase and its
// confirmation, once: an empty one or two that differ are
// MAPI_E_INVALID_PARAMETER; p's errors are returned as they are.
func AskNewPassphrase(ctx context.Context, p Prompter) ([]byte, error) {
	a, err := p.Secret(ctx, "Enter passphrase:")
	if err != nil {
		return nil, err
	}
	b, err := p.Secret(ctx, "Confirm passphrase:")
	if err != nil {
		return nil, err
	}
	if len(a) == 0 || !bytes.Equal(a, b) {
		return nil, mapi.Errorf(mapi.InvalidParameter, "passphrases are empty or do not match")
	}
	return a, nil
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
