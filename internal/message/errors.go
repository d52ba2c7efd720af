package message

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

var (
	// ErrInvalidAddress reports an address that does not parse, is too long
	// or holds a control character such as CR, LF or NUL.
	ErrInvalidAddress = errors.New("invalid address")
	// ErrInvalidHeader reports a header field that may not be set or whose
	// name or value is not allowed (CR, LF, NUL, a line that cannot fit).
	ErrInvalidHeader = errors.New("invalid header")
	// ErrMalformed reports a message given as-is whose header block does not
	// parse (callers map it to exit 65).
	ErrMalformed = errors.New("malformed message")
	// ErrNoRecipients reports a draft without any To, Cc or Bcc address, or
	// a non-delivery report without any failure.
	ErrNoRecipients = errors.New("no recipients")
)

// headerErr wraps ErrInvalidHeader with the field name (quoted) and a reason.
func headerErr(key, reason string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidHeader, shorten(key, 76), reason)
}

// addressErr wraps ErrInvalidAddress with a short reason and never the
// address itself.
func addressErr(reason string) error {
	return fmt.Errorf("%w: %s", ErrInvalidAddress, reason)
}

// libReason turns an error from net/mail or go-message into a short reason
// that does not echo the input: everything from the first quote or colon
// after the "mail: " prefix is cut.
func libReason(err error) string {
	s := strings.TrimPrefix(err.Error(), "mail: ")
	if i := strings.IndexAny(s, "\"':"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.TrimRight(s, " ,"), ", got")
	s = strings.TrimRight(s, " ,")
	if s == "" {
		return "does not parse"
	}
	return shorten(s, 60)
}

// shorten cuts s to at most n bytes on a rune boundary.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
