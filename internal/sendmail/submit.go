package sendmail

// The steps of a submission that print nothing: read and prepare the
// message, then complete it into the spool's payload once the caller has
// picked the section and the envelope sender.

import (
	"io"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/spool"
)

// Message is a message read from a sendmail caller: Raw as read (up to the
// end ReadMessage finds, without an mbox "From " envelope line), its Header as message.PrepareLoose reads it (the
// header ends at the first line that is not a field, as Postfix reads it),
// and From, the first address of its From field (zero when it has none that
// parses).
type Message struct {
	Raw    []byte
	Header gomail.Header
	From   message.Address
}

// Read reads the message from r (ReadMessage, with -i/-oi) and prepares it
// once (message.PrepareLoose at now) to learn its header. Errors: a read
// error is MAPI_E_DISK_ERROR; a malformed message (a NUL or a CR without LF
// in a header field) 65, another message error 64 (message.MAPIError).
func (o *Options) Read(r io.Reader, now time.Time) (*Message, error) {
	raw, err := ReadMessage(r, o.IgnoreDots)
	if err != nil {
		return nil, mapi.Wrap(mapi.DiskError, err, "read standard input")
	}
	raw = message.DropEnvelopeLine(raw) // before Payload adds a From field above it
	_, h, _, err := message.PrepareLoose(raw, "localhost", now)
	if err != nil {
		return nil, message.MAPIError(err)
	}
	m := &Message{Raw: raw, Header: h}
	if list, err := message.ParseAddressList(h.Get("From")); err == nil && len(list) > 0 {
		m.From = list[0]
	}
	return m, nil
}

// Payload completes m for the spool, sent with the envelope sender sender
// through a section whose address is section (zero when not known): a From
// field first when m has none (FromField, none when it has no address),
// then a missing Date and Message-ID (message.PrepareLoose at now; the
// Message-ID's domain is the section's, else the sender's), and Bcc fields
// stripped. The recipients are EnvelopeRecipients', and the -N, -R, -V and
// -B values go with them. It returns the payload and the Message-ID; its
// errors are message.MAPIError's, and EnvelopeRecipients' own.
func (o *Options) Payload(m *Message, section message.Address, sender string, now time.Time) (*spool.Payload, string, error) {
	raw := m.Raw
	if !m.Header.Has("From") {
		if addr := o.FromField(section, sender); addr.Email != "" {
			raw = AddField(raw, "From", addr.String())
		}
	}
	domain := section.Domain()
	if domain == "" {
		domain = (message.Address{Email: sender}).Domain()
	}
	out, h, msgID, err := message.PrepareLoose(raw, domain, now)
	if err != nil {
		return nil, "", message.MAPIError(err)
	}
	to, err := o.EnvelopeRecipients(h)
	if err != nil {
		return nil, "", message.MAPIError(err)
	}
	return &spool.Payload{From: sender, To: to, Message: message.StripBcc(out),
		DSNNotify: o.DSNNotify, DSNReturn: o.DSNReturn, EnvID: o.EnvID, Body: o.Body}, msgID, nil
}
