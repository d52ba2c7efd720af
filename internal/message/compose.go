package message

import (
	"bytes"
	"mime"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// generated are the fields Compose writes itself and an extra header of the
// same name replaces.
var generated = map[string]bool{
	"Date": true, "From": true, "To": true, "Cc": true, "Subject": true, "Message-Id": true,
}

// Compose builds the message bytes of d with CRLF line endings and returns
// them with the Message-ID, angle brackets included ("<id@example.com>").
//
// The header holds Date, From, To, Cc, Subject, Message-ID and MIME-Version
// (never Bcc), then d.Headers; non-ASCII text and display names are RFC 2047
// encoded. The body is one text/plain part (7bit, or quoted-printable when
// needed); with HTML a multipart/alternative; with attachments a
// multipart/mixed whose attachments are base64 with an RFC 2231 filename.
//
// Errors wrap [ErrInvalidAddress] (a From, To, Cc or Bcc that is missing,
// malformed or holds CR, LF or NUL), [ErrNoRecipients], or
// [ErrInvalidHeader] (subject or extra header with CR, LF or NUL, a
// forbidden extra header, an unusable Message-ID domain or content type).
func Compose(d *Draft) (msg []byte, messageID string, err error) {
	if err := d.check(); err != nil {
		return nil, "", err
	}
	h, id, err := composeHeader(d)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if err := writeBody(&buf, h, d); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), id, nil
}

type field struct{ key, value string }

// composeHeader returns the top-level header (in output order) and the
// Message-ID.
func composeHeader(d *Draft) (gomail.Header, string, error) {
	date := d.Date
	if date.IsZero() {
		date = time.Now()
	}
	domain := d.MessageIDDomain
	if domain == "" {
		domain = d.From.Domain()
	}
	id, err := newMessageID(domain)
	if err != nil {
		return gomail.Header{}, "", err
	}
	fields := []field{
		{"Date", date.Format(time.RFC1123Z)},
		{"From", d.From.String()},
		{"To", joinAddresses(d.To)},
		{"Cc", joinAddresses(d.Cc)},
		{"Subject", mime.QEncoding.Encode("utf-8", d.Subject)},
		{"Message-Id", id},
		{"MIME-Version", "1.0"},
	}
	replaced := make(map[string]bool)
	for _, x := range d.Headers {
		key := textproto.CanonicalMIMEHeaderKey(x.Key)
		v, err := extraValue(key, x.Value)
		if err != nil {
			return gomail.Header{}, "", err
		}
		if key == "Message-Id" {
			id = v
		}
		if generated[key] && !replaced[key] {
			replaced[key] = true
			fields = dropField(fields, key)
		}
		fields = append(fields, field{x.Key, v})
	}
	var h gomail.Header
	for i := len(fields) - 1; i >= 0; i-- { // Add puts each field on top
		if fields[i].value != "" || fields[i].key != "To" && fields[i].key != "Cc" && fields[i].key != "Subject" {
			h.Add(fields[i].key, fields[i].value)
		}
	}
	return h, id, nil
}

func dropField(fs []field, key string) []field {
	out := fs[:0]
	for _, f := range fs {
		if textproto.CanonicalMIMEHeaderKey(f.key) != key {
			out = append(out, f)
		}
	}
	return out
}

// extraValue validates and encodes the value of an extra header: address
// fields are parsed and written back, Date and Message-ID must parse, other
// non-ASCII text is RFC 2047 encoded.
func extraValue(key, v string) (string, error) {
	switch {
	case addressFields[key]:
		list, err := ParseAddressList(v)
		if err != nil {
			return "", headerErr(key, "not an address list")
		}
		return joinAddresses(list), nil
	case key == "Date":
		if _, err := mail.ParseDate(v); err != nil {
			return "", headerErr(key, "not an RFC 5322 date")
		}
	case key == "Message-Id":
		var h gomail.Header
		h.Set(key, v)
		if id, err := h.MessageID(); err != nil || v != "<"+id+">" {
			return "", headerErr(key, "not a single <id@domain>")
		}
	}
	return mime.QEncoding.Encode("utf-8", v), nil
}

// newMessageID returns a fresh "<unique@domain>"; it fails with
// [ErrInvalidHeader] when domain is empty or not a valid id-right.
func newMessageID(domain string) (string, error) {
	if domain == "" || strings.ContainsAny(domain, "\r\n\x00") {
		return "", headerErr("Message-Id", "no usable domain")
	}
	var h gomail.Header
	if err := h.GenerateMessageIDWithHostname(domain); err != nil {
		return "", headerErr("Message-Id", "cannot generate")
	}
	if id, err := h.MessageID(); err != nil || !strings.HasSuffix(id, "@"+domain) {
		return "", headerErr("Message-Id", "domain is not a valid dot-atom")
	}
	return h.Get("Message-Id"), nil
}

func joinAddresses(list []Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}
