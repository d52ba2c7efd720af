package sendmail

// The rules a sendmail submission follows once its command line is parsed:
// which address picks the section, the envelope sender, the From field added
// to a message that has none, and the envelope recipients.

import (
	"bytes"
	"strings"
	"unicode"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/profile"
)

// TargetAddress is the address the transport section is picked by, as
// msmtp picks an account: the envelope sender (-f, -r), else headerFrom
// (the message's From address); "" for none.
func (o *Options) TargetAddress(headerFrom string) string {
	if o.Sender != "" {
		return o.Sender
	}
	return headerFrom
}

// EnvelopeSender is the envelope sender of the submission: "" for -f '<>';
// else -f/-r's address; else, with --read-envelope-from or when the
// profile is locked (the section's address is sealed in it), headerFrom
// when the message has one; else section, the section's address ("" when
// locked: the caller then falls back on sendmail-from).
func (o *Options) EnvelopeSender(section, headerFrom string, locked bool) string {
	switch {
	case o.NullSender:
		return ""
	case o.Sender != "":
		return o.Sender
	case (o.ReadEnvelopeFrom || locked) && headerFrom != "":
		return headerFrom
	}
	return section
}

// FromField is the From field added to a message that has none: -F's name
// (else the section's display name, when the address is the section's)
// with the envelope sender's address (else the section's). An empty Email
// means there is none to add.
func (o *Options) FromField(section message.Address, sender string) message.Address {
	a := message.Address{Name: o.FullName, Email: sender}
	if a.Email == "" {
		a.Email = section.Email
	}
	if a.Name == "" && strings.EqualFold(a.Email, section.Email) {
		a.Name = section.Name
	}
	return a
}

// AddField puts "key: value" first in the header of raw, with the line
// break the message already uses (CRLF when its first line ends so, else LF).
func AddField(raw []byte, key, value string) []byte {
	nl := "\n"
	if i := bytes.IndexByte(raw, '\n'); i > 0 && raw[i-1] == '\r' {
		nl = "\r\n"
	}
	return append([]byte(key+": "+value+nl), raw...)
}

// EnvelopeRecipients are the command line's addresses (each argument may
// list several, comma-separated; a bare local name such as cron's "root"
// is passed as written, trimmed, but never one holding a control character
// such as CR, LF or NUL, a space, angle brackets, a comma, a quote or a
// leading dash: MAPI_E_INVALID_PARAMETER), plus with -t those of To, Cc and
// Bcc of h; duplicates dropped, first occurrence kept. No recipient at all
// is MAPI_E_INVALID_PARAMETER with a hint. An error of
// message.HeaderRecipients is returned as it is, for the caller to map.
func (o *Options) EnvelopeRecipients(h gomail.Header) ([]string, error) {
	var to []string
	for _, arg := range o.Recipients {
		list, err := message.ParseAddressList(arg)
		if err != nil {
			s := strings.TrimSpace(arg)
			if s == "" || strings.ContainsAny(s, " <>,\"") || strings.IndexFunc(arg, unicode.IsControl) >= 0 ||
				strings.HasPrefix(s, "-") {
				return nil, mapi.Wrap(mapi.InvalidParameter, err, "recipient "+arg)
			}
			to = append(to, s)
			continue
		}
		for _, a := range list {
			to = append(to, a.Email)
		}
	}
	if o.ExtractRecipients {
		got, err := message.HeaderRecipients(h)
		if err != nil {
			return nil, err
		}
		to = append(to, got...)
	}
	to = dedupe(to)
	if len(to) == 0 {
		hint := "name recipients on the command line, or pass -t to read To, Cc and Bcc"
		if o.ExtractRecipients {
			hint = "-t reads the recipients of the To, Cc and Bcc fields, and the message has none with an address: " +
				"add one, or name recipients on the command line"
		}
		return nil, mapi.Errorf(mapi.InvalidParameter, "the message names no recipient").WithHint(hint)
	}
	return to, nil
}

// SectionByEmail returns the name of the first transport section of p
// whose email is addr (case-insensitive), or "" for none or an empty addr.
func SectionByEmail(p *profile.Profile, addr string) string {
	if addr == "" {
		return ""
	}
	for _, s := range p.Sections {
		if s.Kind == profile.KindTransport && strings.EqualFold(s.String(mapi.PrEmailAddress), addr) {
			return s.Name
		}
	}
	return ""
}

// dedupe drops repeated strings, keeping the first of each in order.
func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
