package message

import (
	"fmt"
	"strings"
	"time"

	gomessage "github.com/emersion/go-message"
)

// writeNDRParts writes the three parts of an NDR into the multipart/report
// writer w.
func writeNDRParts(w *gomessage.Writer, mta string, original []byte, failures []Failure, now time.Time) error {
	var text, status strings.Builder
	fmt.Fprintf(&text, "This is the mail system at host %s.\n\n", mta)
	text.WriteString("Your message could not be delivered to one or more recipients.\n")
	text.WriteString("It will not be retried.\n\n")
	fmt.Fprintf(&status, "Reporting-MTA: dns; %s\r\n", mta)
	for _, f := range failures {
		diag := f.diagnostic()
		_, reason, _ := strings.Cut(diag, "; ")
		fmt.Fprintf(&text, "<%s>: %s\n", f.Recipient, reason)
		status.WriteString(recipientBlock(f, diag, now))
	}
	parts := []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", crlf(text.String())},
		{"message/delivery-status", status.String()},
		{"text/rfc822-headers", crlf(string(split(original).hdr))},
	}
	for _, p := range parts {
		var h gomessage.Header
		h.Set("Content-Type", p.ctype)
		h.Set("Content-Transfer-Encoding", rawEncoding(p.body))
		pw, err := w.CreatePart(h)
		if err := writeClose(pw, err, p.body); err != nil {
			return err
		}
	}
	return nil
}

// recipientBlock returns the per-recipient fields of f, preceded by the
// blank line that separates blocks.
func recipientBlock(f Failure, diag string, now time.Time) string {
	kind := "rfc822"
	if !isASCII(f.Recipient) {
		kind = "utf-8" // RFC 6533
	}
	var b strings.Builder
	b.WriteString("\r\n")
	fmt.Fprintf(&b, "Final-Recipient: %s; %s\r\n", kind, f.Recipient)
	b.WriteString("Action: failed\r\n")
	fmt.Fprintf(&b, "Status: %s\r\n", f.status())
	b.WriteString(fold("Diagnostic-Code: " + diag))
	fmt.Fprintf(&b, "Last-Attempt-Date: %s\r\n", now.Format(time.RFC1123Z))
	return b.String()
}

// fold breaks line at spaces into lines of about 78 bytes, continuation
// lines starting with a space, and ends it with CRLF.
func fold(line string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Split(line, " ") {
		if i > 0 {
			if n+1+len(w) > 78 {
				b.WriteString("\r\n")
				n = 0
			}
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}

// rawEncoding names the transfer encoding of a CRLF text written as is:
// 7bit or 8bit when its lines fit 998 bytes without NUL, quoted-printable
// otherwise.
func rawEncoding(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return "quoted-printable"
	}
	for _, l := range strings.Split(s, "\r\n") {
		if len(l) > maxLine {
			return "quoted-printable"
		}
	}
	if isASCII(s) {
		return "7bit"
	}
	return "8bit"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7f {
			return false
		}
	}
	return true
}
