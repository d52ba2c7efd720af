package message

import (
	"io"
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

// textPart is one inline part: its Content-Type, transfer encoding and the
// body with CRLF line breaks.
type textPart struct{ ctype, cte, body string }

// newTextPart normalizes line breaks to CRLF and picks 7bit when the text is
// printable ASCII in lines of at most 998 bytes, quoted-printable otherwise.
func newTextPart(subtype, s string) textPart {
	s = crlf(s)
	return textPart{"text/" + subtype + "; charset=utf-8", textEncoding(s), s}
}

func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// textEncoding expects CRLF line breaks only.
func textEncoding(s string) string {
	for _, line := range strings.Split(s, "\r\n") {
		if len(line) > maxLine {
			return "quoted-printable"
		}
		for i := 0; i < len(line); i++ {
			if c := line[i]; (c < ' ' && c != '\t') || c > '~' {
				return "quoted-printable"
			}
		}
	}
	return "7bit"
}

func (p textPart) header() gomail.InlineHeader {
	var h gomail.InlineHeader
	h.Set("Content-Type", p.ctype)
	h.Set("Content-Transfer-Encoding", p.cte)
	return h
}

// writeBody writes the header h and the MIME body of d to w.
func writeBody(w io.Writer, h gomail.Header, d *Draft) error {
	var parts []textPart
	if d.Text != "" || d.HTML == "" && len(d.Attachments) == 0 {
		parts = append(parts, newTextPart("plain", d.Text))
	}
	if d.HTML != "" {
		parts = append(parts, newTextPart("html", d.HTML))
	}
	atts := make([]gomail.AttachmentHeader, len(d.Attachments))
	datas := make([][]byte, len(d.Attachments))
	for i, a := range d.Attachments {
		var err error
		if atts[i], datas[i], err = attachmentHeader(a); err != nil {
			return err
		}
	}
	if len(atts) == 0 && len(parts) == 1 {
		h.Set("Content-Type", parts[0].ctype)
		h.Set("Content-Transfer-Encoding", parts[0].cte)
		wc, err := gomail.CreateSingleInlineWriter(w, h)
		return writeClose(wc, err, parts[0].body)
	}
	if len(atts) == 0 {
		iw, err := gomail.CreateInlineWriter(w, h)
		if err != nil {
			return err
		}
		return writeAlternative(iw, parts)
	}
	mw, err := gomail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	switch len(parts) {
	case 1:
		wc, err := mw.CreateSingleInline(parts[0].header())
		if err := writeClose(wc, err, parts[0].body); err != nil {
			return err
		}
	case 2:
		iw, err := mw.CreateInline()
		if err != nil {
			return err
		}
		if err := writeAlternative(iw, parts); err != nil {
			return err
		}
	}
	for i := range atts {
		wc, err := mw.CreateAttachment(atts[i])
		if err := writeClose(wc, err, string(datas[i])); err != nil {
			return err
		}
	}
	return mw.Close()
}

func writeAlternative(iw *gomail.InlineWriter, parts []textPart) error {
	for _, p := range parts {
		wc, err := iw.CreatePart(p.header())
		if err := writeClose(wc, err, p.body); err != nil {
			return err
		}
	}
	return iw.Close()
}

func writeClose(wc io.WriteCloser, err error, body string) error {
	if err != nil {
		return err
	}
	if _, err := io.WriteString(wc, body); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}
