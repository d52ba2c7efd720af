// Package message composes and inspects the RFC 5322 / MIME messages that
// mapictl sends.
//
// # Composing
//
// A [Draft] describes what a user asks to send (message send). [Compose]
// turns it into message bytes with CRLF line endings, a Date, a Message-ID and
// MIME-Version, RFC 2047 encoded header text and no Bcc header; the envelope
// comes from [Draft.Recipients]. A [Request] is message send's command line
// (addresses as typed, files, stdin, --raw) composed into a draft or
// prepared as it is.
//
// # Messages given as-is
//
// [Prepare] takes a message from --raw or sendmail's standard input and only
// adds a missing Date or Message-ID; the body is returned byte for byte.
// [StripBcc] removes Bcc fields for sendmail -t and [HeaderRecipients] reads
// the envelope from To, Cc and Bcc.
//
// # Reports
//
// [NDR] builds an RFC 3464 non-delivery report for recipients that a
// transport refused for good.
//
// # Errors
//
// Every error wraps one of [ErrInvalidAddress], [ErrInvalidHeader],
// [ErrMalformed] or [ErrNoRecipients], but [Request.Compose]'s, which are
// *mapi.Error values ([MAPIError] maps the others: 65 for malformed, else 64). Error text names the header field and a
// short reason; it never repeats a whole header value.
package message
