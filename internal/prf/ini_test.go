package prf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	goini "gopkg.in/ini.v1"
)

// The PRF INI reader (parseINI) held to a real INI library, gopkg.in/ini.v1
// (go-ini), set up as close to GetPrivateProfileString as it goes: names
// folded to lower case, '=' the only delimiter, no inline comments, no
// continuation lines. Wherever both accept a text they must agree on the
// sections, their keys and values, in order. Where they differ on purpose
// (ini.go's top lists each case), knownINIDifference names it and the
// input is not compared.

// iniLibOptions is go-ini read as a PRF reader reads.
var iniLibOptions = goini.LoadOptions{
	Insensitive:         true, // section and key names are folded
	KeyValueDelimiters:  "=",  // "a:b=c" is the key "a:b"
	IgnoreInlineComment: true, // ';' after a value is part of it
	IgnoreContinuation:  true, // a trailing '\' is part of the value
}

// iniKV is one key of a section as both readers see it: the folded name and
// the value (unquoted, not expanded).
type iniKV struct{ key, value string }

// iniSection is one section: its folded name and its keys in order.
type iniSection struct {
	name string
	keys []iniKV
}

// ourINI is parseINI's reading of text, folded, or nil when it refuses it.
func ourINI(text string) []iniSection {
	f, err := parseINI(text)
	if err != nil {
		return nil
	}
	var out []iniSection
	for _, s := range f.sections {
		sec := iniSection{name: fold(s.name)}
		for _, e := range s.entries {
			sec.keys = append(sec.keys, iniKV{fold(e.key), e.value})
		}
		out = append(out, sec)
	}
	return out
}

// libINI is go-ini's reading of text, or nil when it refuses it. go-ini's
// DEFAULT section (the keys before the first header, which a PRF may not
// have) is left out when it is empty.
func libINI(text string) []iniSection {
	f, err := goini.LoadSources(iniLibOptions, []byte(text))
	if err != nil {
		return nil
	}
	var out []iniSection
	for _, s := range f.Sections() {
		if s.Name() == strings.ToLower(goini.DefaultSection) && len(s.Keys()) == 0 {
			continue
		}
		sec := iniSection{name: s.Name()}
		for _, k := range s.Keys() {
			sec.keys = append(sec.keys, iniKV{k.Name(), k.Value()})
		}
		out = append(out, sec)
	}
	return out
}

// knownINIDifference names the first construct of text on which parseINI
// and go-ini differ on purpose (see ini.go), or "" when there is none.
func knownINIDifference(text string) string {
	for _, raw := range strings.Split(text, "\n") {
		t := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		switch {
		case t == "":
		case t[0] == '#':
			return "a line starting with '#' (go-ini: a comment; Windows: a key)"
		case t[0] == '[':
			end := strings.IndexByte(t, ']')
			if end < 0 {
				break
			}
			if strings.Count(t, "]") > 1 {
				return "']' more than once in a header line (go-ini reads to the last)"
			}
			if nm := t[1:end]; nm != strings.TrimSpace(nm) {
				return "blanks inside the brackets of a header (go-ini keeps them)"
			}
			if strings.EqualFold(strings.TrimSpace(t[1:end]), goini.DefaultSection) {
				return "a [DEFAULT] section (go-ini's section for keys before any header)"
			}
		case t[0] == '"' || t[0] == '`':
			return "a quoted key (go-ini unquotes it)"
		default:
			eq := strings.IndexByte(t, '=')
			if eq < 0 {
				break
			}
			if strings.TrimSpace(t[:eq]) == "-" {
				return "the key \"-\" (go-ini numbers it #1, #2...)"
			}
			v := strings.TrimSpace(t[eq+1:])
			if strings.HasPrefix(v, "`") || len(v) > 3 && strings.HasPrefix(v, `"""`) {
				return "a value starting with ` or \"\"\" (go-ini's multi-line quoting)"
			}
			if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] &&
				strings.Count(v, v[:1]) > 2 {
				return "a quoted value with the same quote inside (go-ini keeps the outer quotes)"
			}
		}
	}
	return ""
}

// checkINIAgrees fails t when parseINI and go-ini both accept text and read
// it differently. It reports whether they were compared.
func checkINIAgrees(t *testing.T, text string) bool {
	t.Helper()
	ours := ourINI(text)
	if ours == nil || knownINIDifference(text) != "" {
		return false
	}
	lib := libINI(text)
	if lib == nil {
		return false // go-ini refuses something parseINI accepts: see ini.go
	}
	if !slices.EqualFunc(ours, lib, func(a, b iniSection) bool {
		return a.name == b.name && slices.Equal(a.keys, b.keys)
	}) {
		t.Fatalf("parseINI and go-ini disagree on %q:\nparseINI %q\n   go-ini %q", text, ours, lib)
	}
	return true
}

// TestINIAgreesWithGoINI: every PRF in testdata that parseINI reads, go-ini
// reads to the same sections, keys and values, and none of them relies on
// a known difference.
func TestINIAgreesWithGoINI(t *testing.T) {
	files, err := filepath.Glob("testdata/*.prf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no PRF files: %v", err)
	}
	compared := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		text, err := decodeText(data)
		if err != nil {
			continue
		}
		if _, err := parseINI(text); err != nil {
			continue
		}
		if d := knownINIDifference(text); d != "" {
			t.Errorf("%s: %s", name, d)
			continue
		}
		if libINI(text) == nil {
			t.Errorf("%s: go-ini refuses a PRF parseINI reads", name)
			continue
		}
		if checkINIAgrees(t, text) {
			compared++
		}
	}
	if compared < len(files)/2 {
		t.Errorf("compared %d of %d PRF files", compared, len(files))
	}
}

// TestINIDifferences: the cases ini.go documents, each read by both
// readers as it says.
func TestINIDifferences(t *testing.T) {
	for _, c := range []struct {
		text     string
		ours     bool // parseINI accepts
		lib      bool // go-ini accepts
		knownDif bool // knownINIDifference names it
	}{
		{"[a]\nk=1\nk=1\n", true, true, false},                   // repeated, same value: one key
		{"[a]\nk=1\nk=2\n", false, true, false},                  // repeated, other value: go-ini keeps the last
		{"[a]\nk=1\n[A]\nj=2\n", false, true, false},             // repeated section: go-ini merges
		{"k=1\n[a]\n", false, true, false},                       // key before any section
		{"[a]\n#k=1\n", true, true, true},                        // '#': a key for us, a comment for go-ini
		{"[ a ]\nk=1\n", true, true, true},                       // blanks in the brackets
		{"[a] ;x]\nk=1\n", true, true, true},                     // ']' twice
		{"[a]\n\"k\"=1\n", true, true, true},                     // a quoted key
		{"[a]\n-=1\n", true, true, true},                         // the key "-"
		{"[a]\nk=\"x\"y\"\n", true, true, true},                  // quotes inside quotes
		{"[a]\nk=`x`\n", true, true, true},                       // backquotes
		{"[a]\nk=1\x01\n", false, true, false},                   // a control character
		{"[a]x\nk=1\n", false, true, false},                      // text after a header
		{"[a]\nk=v ; not a comment\nj='q'\n", true, true, false}, // agree
	} {
		ours, lib := ourINI(c.text) != nil, libINI(c.text) != nil
		known := knownINIDifference(c.text) != ""
		if ours != c.ours || lib != c.lib || known != c.knownDif {
			t.Errorf("%q: parseINI %v, go-ini %v, known difference %v; want %v %v %v",
				c.text, ours, lib, known, c.ours, c.lib, c.knownDif)
		}
		if c.ours && c.lib && !c.knownDif && !checkINIAgrees(t, c.text) {
			t.Errorf("%q: not compared", c.text)
		}
	}
}

// FuzzINIAgreesWithGoINI: on every text both accept, outside the known
// differences, parseINI and go-ini agree. Seeds: the testdata PRFs.
func FuzzINIAgreesWithGoINI(f *testing.F) {
	files, err := filepath.Glob("testdata/*.prf")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if text, err := decodeText(data); err == nil {
			f.Add(text)
		}
	}
	f.Add("[a]\nk = 'v' \r\n; c\n[b];c\nK=x=y\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkINIAgrees(t, text)
	})
}
