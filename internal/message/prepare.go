package message

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	gomessage "github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// Prepare takes a message given as-is (message send --raw) and adds a Date
// (from now, or the current time when now is zero) and a Message-ID when
// they are missing. The added fields go at the end of the header block,
// with the line break the header already uses; nothing else changes: the
// other header bytes keep their order and the body is returned byte for
// byte. A message without a blank line is all header; the blank line is
// added.
//
// The Message-ID domain is domain, else the domain of the first From
// address, else "localhost". It returns the parsed header (added fields
// included) and the Message-ID with angle brackets (an existing one that
// does not parse is returned as written, trimmed; it may be empty).
//
// Errors wrap [ErrMalformed] for a header block that does not parse (NUL,
// a CR without LF, a line without "Name:", a first line starting with a
// space) and
// [ErrInvalidHeader] for an unusable domain.
func Prepare(raw []byte, domain string, now time.Time) (out []byte, h gomail.Header, messageID string, err error) {
	return prepare(split(raw), len(raw), domain, now)
}

// PrepareLoose is Prepare for what a sendmail caller pipes (cron, echo,
// scripts), read as Postfix reads it: the header ends at the first empty
// line or before the first line that is neither a header field ("Name:"
// with a printable ASCII name) nor a continuation line; that line and the
// rest are the body, and the empty line between is inserted. Text without
// any header is all body. The header fields it finds are held to Prepare's
// rules: a NUL or a CR without LF in them is [ErrMalformed], so no field
// can be smuggled past StripBcc; the body, as with Prepare, is not looked
// at. A first line "From " (an mbox envelope line, as formail and some
// mail(1) programs write it) is dropped, as Postfix's and sendmail's
// sendmail drop it, rather than taken for the start of the body.
func PrepareLoose(raw []byte, domain string, now time.Time) (out []byte, h gomail.Header, messageID string, err error) {
	return prepare(splitLoose(DropEnvelopeLine(raw)), len(raw), domain, now)
}

// DropEnvelopeLine returns raw without an mbox envelope line: a first line
// that starts "From " and is not a header field ("From : x" is one, as
// Prepare reads it). PrepareLoose drops it too; a caller that adds fields
// at the top of raw drops it first, or it would end up in the body.
func DropEnvelopeLine(raw []byte) []byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return raw
	}
	line, rest := raw, []byte(nil)
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line, rest = raw[:i+1], raw[i+1:]
	}
	if isField(line) {
		return raw
	}
	return rest
}

func prepare(m rawMessage, size int, domain string, now time.Time) (out []byte, h gomail.Header, messageID string, err error) {
	th, err := m.parse()
	if err != nil {
		return nil, gomail.Header{}, "", err
	}
	h = gomail.Header{Header: gomessage.Header{Header: th}}
	nl := m.newline()
	var added strings.Builder
	if !h.Has("Date") {
		if now.IsZero() {
			now = time.Now()
		}
		v := now.Format(time.RFC1123Z)
		h.Add("Date", v)
		fmt.Fprintf(&added, "Date: %s%s", v, nl)
	}
	if h.Has("Message-Id") {
		messageID = strings.TrimSpace(h.Get("Message-Id"))
		if id, err := h.MessageID(); err == nil && id != "" {
			messageID = "<" + id + ">"
		}
	} else {
		if domain == "" {
			domain = fromDomain(h)
		}
		if messageID, err = newMessageID(domain); err != nil {
			return nil, gomail.Header{}, "", err
		}
		h.Add("Message-Id", messageID)
		fmt.Fprintf(&added, "Message-ID: %s%s", messageID, nl)
	}
	out = make([]byte, 0, size+added.Len()+4)
	out = append(out, m.hdr...)
	if n := len(m.hdr); n > 0 && m.hdr[n-1] != '\n' {
		if m.hdr[n-1] == '\r' {
			out = append(out, '\n')
		} else {
			out = append(out, nl...)
		}
	}
	out = append(out, added.String()...)
	if m.sep == nil {
		out = append(out, nl...)
	}
	out = append(out, m.sep...)
	out = append(out, m.body...)
	return out, h, messageID, nil
}

func fromDomain(h gomail.Header) string {
	if list, err := ParseAddressList(h.Get("From")); err == nil && len(list) > 0 && list[0].Domain() != "" {
		return list[0].Domain()
	}
	return "localhost"
}

// HeaderRecipients returns the envelope recipients named by the To, Cc and
// Bcc fields of h (every occurrence of each), as [Draft.Recipients] does:
// in order, de-duplicated, in SMTP form. Empty fields and empty groups are
// skipped. Errors wrap [ErrInvalidAddress] and name the field.
func HeaderRecipients(h gomail.Header) ([]string, error) {
	var lists [][]Address
	for _, key := range []string{"To", "Cc", "Bcc"} {
		for _, v := range h.Values(key) {
			if strings.TrimSpace(v) == "" {
				continue
			}
			list, err := ParseAddressList(v)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", key, err)
			}
			lists = append(lists, list)
		}
	}
	return envelope(lists...), nil
}
