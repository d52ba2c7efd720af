package profile

// Why this file is hand-written: it is the scanner of skim.go, whose top
// says what it replaces (jsontext's scan of the whole document, for the
// readers of one section), why (armor's escapes keep jsontext on its
// byte-at-a-time path; this one checks strings eight bytes at a time), how
// that was measured (BenchmarkUnmarshalSection), what holds it to jsontext
// (FuzzSkimValue, FuzzSkimDocument) and when to delete both files.

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// The scanner under skimDocument (skim.go): it checks JSON syntax, accepting
// only what jsontext.Decoder.ReadValue accepts with decodeOpts (FuzzSkimValue
// checks it), over a document held in memory or still arriving.

// skim is a validating scanner over an in-memory JSON document. Its methods
// return false for anything they do not vouch for.
type skim struct {
	b     []byte                // the document, or the part of it read so far
	more  func(have int) []byte // nil, or a longer prefix when there is one
	i     int
	depth int

	names   []byte   // the names of the sections read, unquoted, one after another
	ends    []int    // where each ends in names
	globals int      // how many are global
	target  *Section // the one named only, decoded
}

// has reports whether the document has a byte at index j, reading more
// of it if need be.
func (s *skim) has(j int) bool {
	return j < len(s.b) || s.grow(j)
}

// grow is has past the end of what was read.
func (s *skim) grow(j int) bool {
	for j >= len(s.b) {
		if s.more == nil {
			return false
		}
		b := s.more(len(s.b))
		if len(b) <= len(s.b) {
			return false
		}
		s.b = b
	}
	return true
}

// text skims a string literal and returns its contents (declining null,
// which readString takes as "").
func (s *skim) text() (string, bool) {
	lit, ok := s.lit()
	if !ok {
		return "", false
	}
	return string(unquote(lit)), true
}

// lit skims a string literal and returns it, quotes included.
func (s *skim) lit() ([]byte, bool) {
	start := s.i
	if !s.at('"') || !s.str() {
		return nil, false
	}
	return s.b[start:s.i], true
}

// bare skims a string literal without escapes and returns its contents.
func (s *skim) bare() ([]byte, bool) {
	lit, ok := s.lit()
	if !ok || bytes.IndexByte(lit, '\\') >= 0 {
		return nil, false
	}
	return lit[1 : len(lit)-1], true
}

// object skims an object (s.i at '{'), calling member for each with the
// unquoted key and s.i at the start of its value, which member must skim.
func (s *skim) object(member func(key []byte) bool) bool {
	return s.container('}', func() bool {
		lit, ok := s.name()
		return ok && member(unquote(lit))
	})
}

// array skims an array (s.i at '['), calling item with s.i at each element.
func (s *skim) array(item func() bool) bool { return s.container(']', item) }

// container skims an object or array that ends with end, calling item at
// each member or element.
func (s *skim) container(end byte, item func() bool) bool {
	if !s.enter() {
		return false
	}
	s.space()
	if s.at(end) {
		s.i++
		s.depth--
		return true
	}
	for {
		s.space()
		if !item() {
			return false
		}
		if done, ok := s.delim(end); done {
			return ok
		}
	}
}

// delim consumes the whitespace after a member or element and the ',' or
// end that must follow. done is false past a ','; else ok tells whether
// the object or array ended well.
func (s *skim) delim(end byte) (done, ok bool) {
	s.space()
	switch {
	case s.at(','):
		s.i++
		return false, false
	case s.at(end):
		s.i++
		s.depth--
		return true, true
	}
	return true, false
}

func (s *skim) enter() bool {
	s.i++
	s.depth++
	return s.depth <= maxSkimDepth
}

// value skims any one JSON value at s.i. Objects and arrays are followed
// with a stack of their closing brackets, not by recursion: their member
// names are checked, never unquoted.
func (s *skim) value() bool {
	var closers [maxSkimDepth]byte
	n := 0 // open objects and arrays
	for {
		if !s.has(s.i) {
			return false
		}
		switch c := s.b[s.i]; {
		case c == '{' || c == '[':
			s.i++
			s.space()
			if s.depth+n >= maxSkimDepth {
				return false
			}
			closer := c + 2 // '}' or ']'
			if s.at(closer) {
				s.i++
				break
			}
			closers[n] = closer
			n++
			if c == '{' && !s.member() {
				return false
			}
			continue
		case c == '"':
			if !s.str() {
				return false
			}
		case c == 't':
			if !s.literal("true") {
				return false
			}
		case c == 'f':
			if !s.literal("false") {
				return false
			}
		case c == 'n':
			if !s.literal("null") {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			if !s.number() {
				return false
			}
		default:
			return false
		}
		// A value ended: close what it ends, then go on to the next.
		for {
			if n == 0 {
				return true
			}
			s.space()
			if s.at(closers[n-1]) {
				s.i++
				n--
				continue
			}
			if !s.at(',') {
				return false
			}
			s.i++
			s.space()
			if closers[n-1] == '}' && !s.member() {
				return false
			}
			break
		}
	}
}

// member skims a member's name and colon, up to its value.
func (s *skim) member() bool {
	_, ok := s.name()
	return ok
}

// name skims a member name, its colon and the space up to the value, and
// returns the name's string literal.
func (s *skim) name() ([]byte, bool) {
	lit, ok := s.lit()
	if !ok {
		return nil, false
	}
	s.space()
	if !s.at(':') {
		return nil, false
	}
	s.i++
	s.space()
	return lit, true
}

func (s *skim) at(c byte) bool { return s.has(s.i) && s.b[s.i] == c }

func (s *skim) space() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return // compact JSON, as Marshal writes it
	}
	s.spaces()
}

// spaces is space past its fast path.
func (s *skim) spaces() {
	for s.has(s.i) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *skim) literal(lit string) bool {
	s.has(s.i + len(lit) - 1)
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return false
	}
	s.i += len(lit)
	return true
}

// number skims -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; what follows
// it is checked by the caller (a delimiter, whitespace or the end).
func (s *skim) number() bool {
	if s.at('-') {
		s.i++
	}
	switch {
	case s.at('0'):
		s.i++
	case !s.digits():
		return false
	}
	if s.at('.') {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.at('e') || s.at('E') {
		s.i++
		if s.at('+') || s.at('-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits skims one or more decimal digits.
func (s *skim) digits() bool {
	start := s.i
	for s.has(s.i) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// SWAR constants: one in every byte, and every byte's high bit.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special has the high bit set in every byte of v that str must look at:
// '"', '\\', a control character, or a byte of a multi-byte UTF-8
// sequence; and maybe in a byte above one of those. (x-ones)&highs marks
// the zero bytes of x and, as must be ruled out by the last term, bytes of
// x with the high bit set.
func special(v uint64) uint64 {
	return (v ^ '"'*ones - ones) | (v ^ '\\'*ones - ones) | (v - 0x20*ones) | v
}

// str skims a string literal (s.i at its '"'): valid UTF-8, no control
// characters, valid escapes. It refuses escaped surrogates (\uD800–\uDFFF),
// whose pairing rules it leaves to jsontext.
func (s *skim) str() bool {
	b, i := s.b, s.i+1
	for {
		// Jump to the first byte that needs a look, eight bytes at a time.
		// The lowest byte special marks is always one: a borrow only
		// carries upwards.
		for i+8 <= len(b) {
			if m := special(binary.LittleEndian.Uint64(b[i:i+8])) & highs; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto look
			}
			i += 8
		}
		// Near the end of what was read: read more, or look byte by byte.
		s.has(i + 7)
		if b = s.b; i+8 <= len(b) {
			continue
		}
		if i >= len(b) {
			return false
		}
	look:
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return true
		case c == '\\':
			s.has(i + 5)
			b = s.b
			if i = escape(b, i); i < 0 {
				return false
			}
		case c < 0x20:
			return false
		case c < utf8.RuneSelf:
			i++ // in the last eight bytes of b
		default:
			s.has(i + utf8.UTFMax - 1)
			b = s.b
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return false
			}
			i += n
		}
	}
}

// escape returns the index past the escape sequence at b[i] ('\\'), or -1.
func escape(b []byte, i int) int {
	if i+1 >= len(b) {
		return -1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if i+6 > len(b) {
			return -1
		}
		r := 0
		for _, c := range b[i+2 : i+6] {
			switch {
			case c >= '0' && c <= '9':
				r = r<<4 | int(c-'0')
			case c >= 'a' && c <= 'f':
				r = r<<4 | int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				r = r<<4 | int(c-'A'+10)
			default:
				return -1
			}
		}
		if r >= 0xD800 && r <= 0xDFFF {
			return -1
		}
		return i + 6
	}
	return -1
}

// unquote returns the contents of a string literal that str accepted.
func unquote(lit []byte) []byte {
	if bytes.IndexByte(lit, '\\') < 0 {
		return lit[1 : len(lit)-1]
	}
	v, _ := jsontext.AppendUnquote(nil, lit)
	return v
}
