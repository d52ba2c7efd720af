package message

import (
	"strings"
	"time"
)

// Draft is what a user asks to send. The zero value of each optional field
// means "leave it out" (Cc, Bcc, Subject, HTML, Attachments, Headers) or "use
// the default" (Date: now; MessageIDDomain: the From address's domain).
type Draft struct {
	From        Address
	To, Cc, Bcc []Address
	Subject     string
	Text        string // text/plain body (UTF-8); line breaks become CRLF
	HTML        string // optional text/html alternative
	Attachments []Attachment
	// Headers are extra fields from --header "K: V". One named like a
	// field Compose writes (Date, From, To, Cc, Subject, Message-ID)
	// replaces it; any other is added. See [Header.Validate].
	Headers         []Header
	Date            time.Time // zero = now
	MessageIDDomain string    // domain of the generated Message-ID; "" = From's domain
}

// Attachment is a file attached to a [Draft].
type Attachment struct {
	// Filename is the name shown to the recipient; directories are
	// dropped. "" sends the attachment without a name.
	Filename string
	// ContentType is a MIME type such as "application/pdf"; "" detects it
	// from the extension, then from the content.
	ContentType string
	Data        []byte
}

// Recipients returns the envelope recipients of d: the emails of To, Cc and
// Bcc in that order, de-duplicated (the domain compared without case), in
// the form SMTP wants (a local part quoted when needed, no angle brackets).
func (d *Draft) Recipients() []string {
	return envelope(d.To, d.Cc, d.Bcc)
}

// envelope flattens lists into de-duplicated SMTP recipients, see
// [Draft.Recipients].
func envelope(lists ...[]Address) []string {
	seen := make(map[string]bool)
	var out []string
	for _, list := range lists {
		for _, a := range list {
			key := a.Email
			if i := strings.LastIndexByte(key, '@'); i >= 0 {
				key = key[:i] + strings.ToLower(key[i:])
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, a.envelope())
		}
	}
	return out
}

// check validates every address of d (each must read back from its
// String form unchanged), the subject and the extra headers.
func (d *Draft) check() error {
	if d.From.Email == "" {
		return addressErr("missing From")
	}
	if err := checkAddress(d.From); err != nil {
		return err
	}
	n := 0
	for _, list := range [][]Address{d.To, d.Cc, d.Bcc} {
		for _, a := range list {
			if err := checkAddress(a); err != nil {
				return err
			}
			n++
		}
	}
	if n == 0 {
		return ErrNoRecipients
	}
	if strings.ContainsAny(d.Subject, "\r\n\x00") {
		return headerErr("Subject", "value contains CR, LF or NUL")
	}
	for _, h := range d.Headers {
		if err := h.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// checkAddress accepts an Address built in code only when it is what
// ParseAddress would return for its own String form.
func checkAddress(a Address) error {
	if strings.ContainsAny(a.Name+a.Email, "\r\n\x00") {
		return addressErr("contains CR, LF or NUL")
	}
	b, err := ParseAddress(a.String())
	if err != nil {
		return err
	}
	if b != a {
		return addressErr("does not read back unchanged")
	}
	return nil
}
