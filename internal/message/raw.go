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

// split cuts raw at the first empty line.
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
// line (or, without header, the separator) ends in a bare LF, else "\r\n".
func (m rawMessage) newline() string {
	first := m.sep
	if ls := lines(m.hdr); len(ls) > 0 {
		first = ls[0]
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
// that is not "Name: value" with a printable ASCII name. A lone CR that ends
// a message without a blank line is its last line's break.
func (m rawMessage) parse() (gotextproto.Header, error) {
	if bytes.IndexByte(m.hdr, 0) >= 0 {
		return gotextproto.Header{}, fmt.Errorf("%w: header contains NUL", ErrMalformed)
	}
	if n := bareCR(m.hdr); n > 0 {
		return gotextproto.Header{}, fmt.Errorf("%w: header line %d holds a CR without LF", ErrMalformed, n)
	}
	in := append(bytes.Clone(m.hdr), "\r\n\r\n"...)
	h, err := gotextproto.ReadHeader(bufio.NewReader(bytes.NewReader(in)))
	if err != nil {
		return h, fmt.Errorf("%w: header line %d is not \"Name: value\"", ErrMalformed, badLine(m.hdr))
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

// badLine returns the 1-based number of the first header line that is not
// a continuation and not "Name:" with a printable ASCII name (1 if none).
func badLine(hdr []byte) int {
	for i, l := range lines(hdr) {
		wsp := l[0] == ' ' || l[0] == '\t'
		if i > 0 && wsp {
			continue
		}
		k, _, ok := bytes.Cut(l, []byte(":"))
		if wsp || !ok || !validName(bytes.Trim(k, " \t")) {
			return i + 1
		}
	}
	return 1
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
