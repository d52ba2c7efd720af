package prf

// Why this file is hand-written.
//
// What it replaces: an INI library, gopkg.in/ini.v1 (go-ini) being the
// usual one in Go, for the sectioned text of a PRF.
//
// Why: a PRF is read as Outlook's GetPrivateProfileString reads it, and
// its errors and warnings name a line. go-ini, set up as closely as it
// goes (ini_test.go's iniLibOptions: folded names, '=' the only delimiter,
// no inline comments, no continuation lines), still keeps no line numbers
// for sections or keys (every error of account.go and service.go names
// one), merges a repeated [section], which a PRF refuses, keeps the last
// of a repeated key, where a PRF reads the first (and refuses a repeat
// with another value), reads '#' lines as comments, unquotes keys, reads
// its own quoting (backquotes, """), and accepts control characters (a
// NUL here means UTF-16 text without a byte-order mark). Bending it would take a second
// pass over the text for the lines, which is this file again. This is not
// a speed question: measured by what go-ini v1.68.0 cannot report, and by
// size (about 100 lines, no dependency in the binary).
//
// Held to go-ini by: ini_test.go. TestINIAgreesWithGoINI reads every PRF in
// testdata with both; FuzzINIAgreesWithGoINI (run by scripts/fuzz.sh) holds
// them to the same sections, keys and values, in order, on every text both
// accept. They differ on purpose, and knownINIDifference leaves out:
//   - a line starting with '#': a key here, as in Windows; a comment in go-ini;
//   - blanks inside a header's brackets, trimmed here, kept by go-ini; ']'
//     twice in a header line (go-ini reads to the last, this reader to the
//     first, then allows only a ';' comment);
//   - a [DEFAULT] section, go-ini's home for keys before the first header
//     (which are an error here);
//   - a key in quotes, or named "-" (go-ini unquotes the one and numbers
//     the other);
//   - a value starting with ` or """ (go-ini's quoting), and a value in
//     quotes with the same quote inside: here one pair of outer quotes
//     always goes, as in Windows; go-ini then keeps them.
// The rest of what they differ on is what this reader refuses and go-ini
// accepts (TestINIDifferences): a repeated section, a key repeated with
// another value, keys before the first header, control characters, text
// after a header. A key repeated with the same value is read once by both.
//
// When to delete it: when an INI library reports the line of every section
// and key and lets a repeated section or key be seen (or mapictl stops
// importing PRFs); then parseINI becomes a check over that library's result
// and ini_test.go's differential test its test.

import (
	"fmt"
	"strings"
)

// entry is one key=value line of a section.
type entry struct {
	key, value string // trimmed; value unquoted, not yet expanded
	line       int
}

// section is one [name] block of a PRF.
type section struct {
	name    string // as written, trimmed
	line    int    // line of the header
	entries []entry
	byKey   map[string]int // folded key -> index in entries
}

// ini is the sectioned text of a PRF.
type ini struct {
	sections []*section
	byName   map[string]*section // folded name -> section
	warnings []Warning           // repeated keys that were ignored
}

func (f *ini) section(name string) *section { return f.byName[fold(name)] }

// fold is the case-insensitive form of a section or key name.
func fold(s string) string { return strings.ToLower(s) }

// parseINI splits text into sections. A key repeated in a section with the
// same value (as the Office Customization Tool writes [IMAP_I_Mail], whose
// Organization and EmailAddress come twice) is read at its first
// occurrence, as GetPrivateProfileString does, and the repeat is recorded as
// a warning. Duplicate sections, a key repeated with a different value, key
// lines outside a section, lines that are neither a header, a key=value
// pair, a comment nor blank, and control characters other than tab are
// errors (*Error).
func parseINI(text string) (*ini, error) {
	f := &ini{byName: map[string]*section{}}
	var cur *section
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSuffix(raw, "\r")
		if err := checkControl(line); err != "" {
			return nil, errorf(name(cur), n, "%s", err)
		}
		t := strings.TrimSpace(line)
		if t == "" || t[0] == ';' {
			continue
		}
		if t[0] == '[' {
			end := strings.IndexByte(t, ']')
			if end < 0 {
				return nil, errorf(name(cur), n, "section header without a closing bracket")
			}
			if rest := strings.TrimSpace(t[end+1:]); rest != "" && rest[0] != ';' {
				return nil, errorf(name(cur), n, "text after a section header")
			}
			nm := strings.TrimSpace(t[1:end])
			if nm == "" {
				return nil, errorf(name(cur), n, "empty section name")
			}
			if prev := f.byName[fold(nm)]; prev != nil {
				return nil, errorf(nm, n, "duplicate section (first on line %d)", prev.line)
			}
			cur = &section{name: nm, line: n, byKey: map[string]int{}}
			f.sections = append(f.sections, cur)
			f.byName[fold(nm)] = cur
			continue
		}
		if cur == nil {
			return nil, errorf("", n, "key=value line before the first section header")
		}
		eq := strings.IndexByte(t, '=')
		if eq < 0 {
			return nil, errorf(cur.name, n, "expected key=value, a [section] header or a ; comment")
		}
		key := strings.TrimSpace(t[:eq])
		if key == "" {
			return nil, errorf(cur.name, n, "empty key")
		}
		value := unquote(strings.TrimSpace(t[eq+1:]))
		if j, dup := cur.byKey[fold(key)]; dup {
			first := cur.entries[j]
			if first.value != value {
				return nil, errorf(cur.name, n, "duplicate key %q (first on line %d) with a different value", key, first.line)
			}
			f.warnings = append(f.warnings, Warning{Section: cur.name, Line: n,
				Msg: fmt.Sprintf("duplicate key %q ignored: same value as on line %d", key, first.line)})
			continue
		}
		cur.byKey[fold(key)] = len(cur.entries)
		cur.entries = append(cur.entries, entry{key: key, value: value, line: n})
	}
	if len(f.sections) == 0 {
		return nil, errorf("", 0, "not a PRF file: no sections")
	}
	return f, nil
}

func name(s *section) string {
	if s == nil {
		return ""
	}
	return s.name
}

// unquote drops one matching pair of surrounding double or single quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// checkControl returns a message if line holds a control character other
// than tab (a NUL usually means UTF-16 text without a byte-order mark).
func checkControl(line string) string {
	for _, r := range line {
		switch {
		case r == 0:
			return "NUL character (UTF-16 text without a byte-order mark?)"
		case r == '\t':
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			return "control character in line"
		}
	}
	return ""
}
