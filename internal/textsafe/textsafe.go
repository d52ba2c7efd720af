// Package textsafe makes untrusted text (SMTP server replies, program
// output, names read from files) safe to print on a terminal: every control
// character becomes a visible escape, so a server cannot clear the screen,
// move the cursor, rewrite an earlier line with a bare CR or set the
// window title through an error message or a -v transcript.
//
// JSON output needs none of this: encoding/json escapes C0 itself.
package textsafe

import (
	"strings"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// Unsafe reports whether r must be escaped: every C0 control (tab, CR and
// LF included), DEL and every C1 control (U+0080..U+009F).
func Unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// Escape returns s with every control character escaped: tab, LF and CR
// as \t, \n and \r, the rest of C0 and DEL as \xNN, C1 as \u00NN, and each byte that is not valid UTF-8 as \xNN (a lone
// 0x9b byte is CSI to a terminal in 8-bit mode). Everything else, the
// backslash included, is unchanged, so ordinary text prints as it is.
func Escape(s string) string {
	if !needs(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			byteEsc(&b, s[i])
		case r < 0x80 && Unsafe(r):
			byteEsc(&b, byte(r))
		case Unsafe(r):
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func byteEsc(b *strings.Builder, c byte) {
	switch c {
	case '\t':
		b.WriteString(`\t`)
		return
	case '\n':
		b.WriteString(`\n`)
		return
	case '\r':
		b.WriteString(`\r`)
		return
	}
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// needs reports whether s holds anything Escape would change.
func needs(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || Unsafe(r) {
			return true
		}
		i += n
	}
	return false
}

// Safe reports whether s can be printed as it is (Escape(s) == s).
func Safe(s string) bool { return !needs(s) }

// JSON escapes, inside encoded JSON b, the controls encoding/json leaves
// raw: DEL and C1 (U+0080..U+009F) become \u007f and \u00NN. Outside
// strings valid JSON holds no such character, so the result is the same
// JSON value.
func JSON(b []byte) []byte {
	if !needsJSON(b) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			out = append(out, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

func needsJSON(b []byte) bool {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
		i += n
	}
	return false
}
