package message

import (
	"mime"
	"net/mail"
	"strings"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"
)

const (
	// maxLine is the RFC 5322 limit of a line, CRLF excluded.
	maxLine = 998
	// maxEmail is the longest addr-spec accepted (RFC 5321 path limit).
	maxEmail = 254
)

// Address is a parsed mailbox: an optional display name and an addr-spec.
type Address struct{ Name, Email string }

// String returns the RFC 5322 form: "<email>" alone or `"Name" <email>`; a
// non-ASCII name is encoded as RFC 2047 words. [ParseAddress] reads it back
// to the same Address.
func (a Address) String() string {
	s := a.mail().String()
	if strings.HasPrefix(s, "=?utf-8?q?") && strings.Contains(a.Name, `\`) {
		// net/mail Q-encodes such a name leaving the backslash bare, which
		// RFC 2047 §5(3) does not allow in a phrase and no parser reads back;
		// base64 is what net/mail itself picks for the other specials.
		return mime.BEncoding.Encode("utf-8", a.Name) + " " + Address{Email: a.Email}.String()
	}
	return s
}

// Domain returns the part of Email after its last "@", or "" without one.
func (a Address) Domain() string {
	i := strings.LastIndexByte(a.Email, '@')
	if i < 0 {
		return ""
	}
	return a.Email[i+1:]
}

func (a Address) mail() *mail.Address { return &mail.Address{Name: a.Name, Address: a.Email} }

// parser decodes RFC 2047 display names with go-message's charset hook.
func parser() *mail.AddressParser {
	return &mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: gomessage.CharsetReader}}
}

// ParseAddress parses one address exactly as the user typed it (--to, --cc,
// --bcc, --as). It never splits on commas: `"Li, Dana" <d@x>` is one
// address, while `Li, Dana <d@x>` is an error. It returns an error wrapping
// [ErrInvalidAddress] for an empty input, one longer than 998 bytes or
// holding CR, LF or NUL, a malformed address, an email longer than 254
// bytes, or a display name with control characters or invalid UTF-8.
func ParseAddress(s string) (Address, error) {
	if err := checkRawAddress(s); err != nil {
		return Address{}, err
	}
	m, err := parser().Parse(s)
	if err != nil {
		return Address{}, addressErr(libReason(err))
	}
	a, err := checkParsed(m)
	if err == nil && len(a.String()) > maxLine {
		// A display name in a comment ("a@x (Jörg …)") is shorter than the
		// RFC 2047 form String writes, which ParseAddress must accept again.
		return Address{}, addressErr("longer than 998 bytes once encoded")
	}
	return a, err
}

// ParseAddressList parses a header value holding several addresses, as in
// the To, Cc and Bcc fields read by sendmail -t. Groups are flattened, and an
// empty group ("undisclosed-recipients:;") gives no address. Errors are those
// of [ParseAddress], except that the 998-byte limit does not apply to the
// whole list.
func ParseAddressList(s string) ([]Address, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return nil, addressErr("contains CR, LF or NUL")
	}
	if strings.TrimSpace(s) == "" {
		return nil, addressErr("empty")
	}
	list, err := parser().ParseList(s)
	if err != nil {
		return nil, addressErr(libReason(err))
	}
	out := make([]Address, 0, len(list))
	for _, m := range list {
		a, err := checkParsed(m)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func checkRawAddress(s string) error {
	switch {
	case strings.ContainsAny(s, "\r\n\x00"):
		return addressErr("contains CR, LF or NUL")
	case strings.TrimSpace(s) == "":
		return addressErr("empty")
	case len(s) > maxLine:
		return addressErr("longer than 998 bytes")
	}
	return nil
}

// checkParsed applies the rules net/mail does not: lengths, control
// characters and UTF-8 validity.
func checkParsed(m *mail.Address) (Address, error) {
	a := Address{Name: m.Name, Email: m.Address}
	if len(a.Email) > maxEmail {
		return Address{}, addressErr("email longer than 254 bytes")
	}
	if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Email) {
		return Address{}, addressErr("invalid UTF-8")
	}
	if hasControl(a.Name, true) || hasControl(a.Email, false) {
		return Address{}, addressErr("contains a control character")
	}
	return a, nil
}

// hasControl reports a C0 control character or DEL in s; tab counts only
// when tabOK is false.
func hasControl(s string, tabOK bool) bool {
	for _, r := range s {
		if r == '\t' && tabOK {
			continue
		}
		if r < ' ' || r == 0x7f {
			return true
		}
	}
	return false
}

// envelope returns the addr-spec as SMTP wants it (local part quoted when
// needed), without angle brackets.
func (a Address) envelope() string {
	return strings.TrimSuffix(strings.TrimPrefix(Address{Email: a.Email}.String(), "<"), ">")
}
