package message

import (
	"fmt"
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

// senderFields are the header fields that name who sends a message (RFC
// 5322 §3.6.2 and §3.6.6).
var senderFields = []string{"From", "Sender", "Resent-From", "Resent-Sender"}

// ForeignSender is a sender field that names another address than the one
// a message must be sent as.
type ForeignSender struct {
	Field, Email string
}

// ForeignSenders returns the mailboxes of h's From, Sender, Resent-From and
// Resent-Sender fields (every occurrence, groups flattened) whose email is
// not addr, compared without case, in that order. A sender field that is
// empty or does not parse is an error wrapping [ErrInvalidAddress] that
// names the field: what it names cannot be known to be addr.
func ForeignSenders(h gomail.Header, addr string) ([]ForeignSender, error) {
	var out []ForeignSender
	for _, key := range senderFields {
		for _, v := range h.Values(key) {
			list, err := ParseAddressList(v)
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", key, err)
			}
			for _, a := range list {
				if !strings.EqualFold(a.Email, addr) {
					out = append(out, ForeignSender{Field: key, Email: a.Email})
				}
			}
		}
	}
	return out, nil
}

// HeaderFields returns extra headers as a header, for [ForeignSenders].
func HeaderFields(hs []Header) gomail.Header {
	var h gomail.Header
	for _, x := range hs {
		h.Add(x.Key, x.Value)
	}
	return h
}
