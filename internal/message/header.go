package message

import (
	"fmt"
	"net/textproto"
	"strings"
)

// Header is one extra header field given with --header "K: V".
type Header struct{ Key, Value string }

// forbidden lists the fields an extra header may not set: Bcc must never
// reach the headers and the MIME structure belongs to [Compose].
var forbidden = map[string]bool{
	"Bcc":                       true,
	"Resent-Bcc":                true,
	"Mime-Version":              true,
	"Content-Type":              true,
	"Content-Transfer-Encoding": true,
}

// addressFields are the extra headers parsed as address lists and written
// back encoded, so that a non-ASCII display name stays valid.
var addressFields = map[string]bool{
	"From": true, "Sender": true, "Reply-To": true, "To": true, "Cc": true,
}

// ParseHeader parses "K: V" as typed after --header. Spaces and tabs around
// the name and the value are dropped. It returns an error wrapping
// [ErrInvalidHeader] when there is no colon or when [Header.Validate] fails.
func ParseHeader(s string) (Header, error) {
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		return Header{}, headerErr(strings.TrimSpace(firstLine(s)), "missing colon")
	}
	h := Header{Key: strings.Trim(k, " \t"), Value: strings.Trim(v, " \t")}
	return h, h.Validate()
}

// maxKey bounds a field name. RFC 5322 sets no limit of its own, but
// go-message folds a field at 76 characters counting its name, and panics
// (index out of range in textproto.foldLine, v0.18.2) when the name leaves
// no room on the first line (about 73 bytes and more); names in use are far
// shorter (FuzzHeaderValue found it).
const maxKey = 64

// Validate checks an extra header: the name is RFC 5322 ftext (printable
// ASCII except colon, at most maxKey characters) and not Bcc, Resent-Bcc, MIME-Version, Content-Type or
// Content-Transfer-Encoding; the value holds no CR, LF or NUL; and the field
// can be folded into lines of at most 998 bytes (no word in the value is
// longer than that with the name). Errors wrap [ErrInvalidHeader].
func (h Header) Validate() error {
	if h.Key == "" {
		return headerErr("", "empty name")
	}
	for i := 0; i < len(h.Key); i++ {
		if c := h.Key[i]; c < '!' || c > '~' || c == ':' {
			return headerErr(firstLine(h.Key), "name is not printable ASCII without colon")
		}
	}
	if len(h.Key) > maxKey {
		return headerErr(h.Key[:maxKey]+"…", fmt.Sprintf("name is longer than %d characters", maxKey))
	}
	key := textproto.CanonicalMIMEHeaderKey(h.Key)
	if forbidden[key] {
		return headerErr(h.Key, "may not be set")
	}
	if strings.ContainsAny(h.Value, "\r\n\x00") {
		return headerErr(h.Key, "value contains CR, LF or NUL")
	}
	for _, w := range strings.FieldsFunc(h.Value, isWSP) {
		if len(h.Key)+2+len(w) > maxLine {
			return headerErr(h.Key, "line cannot be folded under 998 bytes")
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func isWSP(r rune) bool { return r == ' ' || r == '\t' }
