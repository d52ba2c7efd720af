package message

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	gotextproto "github.com/emersion/go-message/textproto"
)

// rawMessage is a message given as-is, cut into its header block (every
// header line with its line break), the blank separator line ("\r\n" or
// "\n", empty when the input has none) and the body, so that
// hdr+sep+body is the input.
type rawMessage struct{ hdr, sep, body []byte }

// split cuts raw at the first empty line (the strict reading of --raw:
// every line before it must be a header field, or parse fails).
func split(raw []byte) rawMessage {
	for pos := 0; pos < len(raw); {
		end := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		line := raw[pos:end]
		if string(line) == "\n" || string(line) == "\r\n" {
			return rawMessage{raw[:pos], line, raw[end:]}
		}
		pos = end
	}
	return rawMessage{hdr: raw}
}

// splitLoose cuts raw as Postfix's cleanup reads a message piped to
// sendmail: the header block ends at the first empty line (the separator),
// or before the first line that is neither a header field (isField) nor a
// continuation line (one starting with a space or tab after a field). That
// line and the rest are the body, with no separator (sep is nil): Prepare
// inserts the empty line. So "disk at 91%\n" is all body, and in
// "Subject: x\nhello\n" the body is "hello\n".
func splitLoose(raw []byte) rawMessage {
	for pos := 0; pos < len(raw); {
		end := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		line := raw[pos:end]
		switch {
		case string(line) == "\n" || string(line) == "\r\n":
			return rawMessage{raw[:pos], line, raw[end:]}
		case line[0] == ' ' || line[0] == '\t':
			if pos == 0 {
				return rawMessage{body: raw}
			}
		case !isField(line):
			return rawMessage{hdr: raw[:pos], body: raw[pos:]}
		}
		pos = end
	}
	return rawMessage{hdr: raw}
}

// isField reports whether line starts as a header field does: a name of
// printable ASCII characters other than ':' (at least one), optional
// spaces or tabs, then ':'. Its value is not looked at: a NUL or a CR
// without LF there is parse's to refuse.
func isField(line []byte) bool {
	k, _, ok := bytes.Cut(line, []byte(":"))
	k = bytes.TrimRight(k, " \t")
	return ok && len(k) > 0 && validName(k)
}

// lines returns b cut after each '\n' (the last piece may lack one).
func lines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, b)
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// newline returns the line break the header block uses: "\n" when its first
// line (without header, the separator; without either, the body's first
// line) ends in a bare LF, else "\r\n".
func (m rawMessage) newline() string {
	first := m.sep
	if ls := lines(m.hdr); len(ls) > 0 {
		first = ls[0]
	} else if first == nil {
		if ls := lines(m.body); len(ls) > 0 {
			first = ls[0]
		}
	}
	if bytes.HasSuffix(first, []byte("\n")) && !bytes.HasSuffix(first, []byte("\r\n")) {
		return "\n"
	}
	return "\r\n"
}

// parse reads the header block with go-message. It fails with [ErrMalformed]
// on a NUL, a CR that is not followed by LF (go-message drops it, while a
// server or reader that breaks lines there sees one field more: a Bcc that
// StripBcc never saw), a first line that starts with a space, or a line
// that is not "Name: value" with a printable ASCII name (isField: one
// character at least, as go-message would skip ": value"). A lone CR that ends
// a message without a blank line is its last line's break.
func (m rawMessage) parse() (gotextproto.Header, error) {
	if bytes.IndexByte(m.hdr, 0) >= 0 {
		return gotextproto.Header{}, fmt.Errorf("%w: header contains NUL", ErrMalformed)
	}
	if n := bareCR(m.hdr); n > 0 {
		return gotextproto.Header{}, fmt.Errorf("%w: header line %d holds a CR without LF", ErrMalformed, n)
	}
	if n := badLine(m.hdr); n > 0 {
		return gotextproto.Header{}, fmt.Errorf("%w: header line %d is not \"Name: value\"", ErrMalformed, n)
	}
	in := append(bytes.Clone(m.hdr), "\r\n\r\n"...)
	h, err := gotextproto.ReadHeader(bufio.NewReader(bytes.NewReader(in)))
	if err != nil {
		return h, fmt.Errorf("%w: the header does not parse", ErrMalformed)
	}
	return h, nil
}

// bareCR returns the 1-based number of the first line of hdr holding a CR
// not followed by LF (one that ends hdr excepted), or 0.
func bareCR(hdr []byte) int {
	line := 1
	for j := 0; j+1 < len(hdr); j++ {
		switch {
		case hdr[j] == '\n':
			line++
		case hdr[j] == '\r' && hdr[j+1] != '\n':
			return line
		}
	}
	return 0
}

// badLine returns the 1-based number of the first line of hdr that is
// neither a continuation (a line after the first starting with a space or
// tab) nor a field (isField), or 0 when there is none.
func badLine(hdr []byte) int {
	for i, l := range lines(hdr) {
		if i > 0 && (l[0] == ' ' || l[0] == '\t') {
			continue
		}
		if !isField(l) {
			return i + 1
		}
	}
	return 0
}

func validName(k []byte) bool {
	for _, c := range k {
		if c < '!' || c > '~' || c == ':' {
			return false
		}
	}
	return true
}

// StripBcc returns raw without its Bcc header fields (continuation lines
// included), as sendmail -t sends it. The body and every other byte stay as
// they were; the result is a new slice.
func StripBcc(raw []byte) []byte {
	m := split(raw)
	out := make([]byte, 0, len(raw))
	drop := false
	for _, l := range lines(m.hdr) {
		if l[0] != ' ' && l[0] != '\t' {
			k, _, _ := strings.Cut(string(l), ":")
			drop = strings.EqualFold(strings.Trim(k, " \t"), "Bcc")
		}
		if !drop {
			out = append(out, l...)
		}
	}
	out = append(out, m.sep...)
	return append(out, m.body...)
}
