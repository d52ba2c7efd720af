package prf

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// DefaultVars are the %VAR% names [Restrict] lets through without being
// asked: those Outlook's deployment documentation uses in PRFs (the user's
// name, domain and home, and the machine's name). None of them is a secret.
var DefaultVars = []string{"USERNAME", "USERDOMAIN", "COMPUTERNAME", "USERPROFILE"}

// forbidden reports whether name is one no PRF may expand, whatever the
// caller allows: mapictl's own variables (MAPICTL_IDENTITY is a secret key,
// MAPICTL_SESSION a bearer token), in any case as Windows names ignore it.
func forbidden(name string) bool {
	return strings.HasPrefix(strings.ToUpper(name), "MAPICTL_")
}

// CheckVar reports why name cannot be allowed for expansion (a --var NAME):
// it is empty, holds '%', '=' or a control character, or is a MAPICTL_*
// name. The error text names the variable, never a value.
func CheckVar(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty variable name")
	case strings.ContainsFunc(name, func(r rune) bool { return r == '%' || r == '=' || r < 0x20 || r == 0x7f }):
		return fmt.Errorf("variable name %q holds %%, = or a control character", name)
	case forbidden(name):
		return fmt.Errorf("variable %s is never expanded: MAPICTL_* variables hold mapictl's keys and tokens", name)
	}
	return nil
}

// Restrict returns a getenv for [Parse] that asks getenv only for the
// names in [DefaultVars] and extra, compared ignoring case; every other
// name, and always a MAPICTL_* one, is undefined and so stays in the value
// literally. A nil getenv defines nothing.
func Restrict(getenv func(string) (string, bool), extra ...string) func(string) (string, bool) {
	allowed := map[string]bool{}
	for _, n := range DefaultVars {
		allowed[n] = true
	}
	for _, n := range extra {
		if CheckVar(n) == nil {
			allowed[strings.ToUpper(n)] = true
		}
	}
	return func(name string) (string, bool) {
		if getenv == nil || forbidden(name) || !allowed[strings.ToUpper(name)] {
			return "", false
		}
		return getenv(name)
	}
}

// Expansion is one %NAME% placeholder that [ParseReport] replaced: the
// section and key of the value, and the name (as written in the PRF).
type Expansion struct {
	Section string `json:"section"`
	Key     string `json:"key"`
	Name    string `json:"name"`
}

// expand replaces each %NAME% in v whose NAME getenv defines (as written
// or in upper case), as Windows' ExpandEnvironmentStrings does: an
// undefined %NAME% is kept literally, as is a lone % or %%, and its closing
// % may open the next placeholder. A nil getenv defines nothing, and no
// getenv is ever asked for a MAPICTL_* name.
func expand(v string, getenv func(string) (string, bool)) string {
	return expandEach(v, getenv, nil)
}

// expandEach is expand that also calls each (when not nil) with the name
// of every placeholder it replaced (ok true), then of every one it kept
// because getenv does not define it (ok false): only a name that reads as
// a variable's (see [varName]: in "100% off, 5% more" nothing is one), and
// only when "%NAME%" is still in the result (in "%A%USERNAME%" the closing
// % of an undefined %A% opens %USERNAME%, so what stays is "%A", no
// placeholder).
func expandEach(v string, getenv func(string) (string, bool), each func(name string, ok bool)) string {
	if getenv == nil || !strings.Contains(v, "%") {
		return v
	}
	var kept []string
	done := func(out string) string {
		if each != nil {
			for _, n := range kept {
				if strings.Contains(out, "%"+n+"%") {
					each(n, false)
				}
			}
		}
		return out
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '%')
		if i < 0 {
			b.WriteString(v)
			return done(b.String())
		}
		j := strings.IndexByte(v[i+1:], '%')
		if j < 0 {
			b.WriteString(v)
			return done(b.String())
		}
		j += i + 1
		b.WriteString(v[:i])
		if j == i+1 {
			// "%%": keep the first, rescan from the second.
			b.WriteByte('%')
			v = v[j:]
			continue
		}
		if val, ok := lookup(getenv, v[i+1:j]); ok {
			if each != nil {
				each(v[i+1:j], true)
			}
			b.WriteString(val)
			v = v[j+1:]
			continue
		}
		if varName(v[i+1 : j]) {
			kept = append(kept, v[i+1:j])
		}
		// Undefined: keep "%NAME" and rescan from the closing %, which
		// may open the next placeholder ("100% %USERNAME%").
		b.WriteString(v[i:j])
		v = v[j:]
	}
}

// varName reports whether name reads as an environment variable's, so
// that a %name% left as written is worth a warning: a letter or '_', then
// letters, digits and _ . - ( ) (ProgramFiles(x86)). "%20" in a URL, or
// the text between two percent signs of a sentence, is not one.
func varName(name string) bool {
	for i, r := range name {
		switch {
		case r == '_' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z':
		case i > 0 && ('0' <= r && r <= '9' || strings.ContainsRune(".-()", r)):
		default:
			return false
		}
	}
	return name != ""
}

// SupplyHint says how the user can have %name% expanded on the next
// import (for a warning about one left as written): MAPICTL_* names never
// are; a [DefaultVars] name is read from the environment; any other also
// needs --var NAME.
func SupplyHint(name string) string {
	up := strings.ToUpper(name)
	switch {
	case forbidden(name):
		return "MAPICTL_* variables are never expanded"
	case up == "USERNAME":
		return "set USERNAME (or USER) in the environment"
	case up == "USERPROFILE":
		return "set USERPROFILE (or HOME) in the environment"
	case slices.Contains(DefaultVars, up):
		return "set " + up + " in the environment"
	}
	return "set " + name + " in the environment and pass --var " + name
}

// lookup asks getenv for name as written, then in upper case: Windows
// variable names ignore case and PRFs are written for Windows. A MAPICTL_*
// name is never looked up.
func lookup(getenv func(string) (string, bool), name string) (string, bool) {
	if forbidden(name) {
		return "", false
	}
	if v, ok := getenv(name); ok {
		return v, true
	}
	if up := strings.ToUpper(name); up != name {
		return getenv(up)
	}
	return "", false
}

// OSEnv looks a %VAR% name up in this process's environment the way a PRF
// written on Windows expects: by exact name, then ignoring case; USERNAME
// falls back to $USER, USERPROFILE to $HOME and COMPUTERNAME to $HOSTNAME
// (or the host name) when not set. It looks up any name it is given: wrap
// it in [Restrict] before handing it to [Parse] for a file from elsewhere.
func OSEnv(name string) (string, bool) {
	if v, ok := os.LookupEnv(name); ok {
		return v, true
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.EqualFold(k, name) {
			return v, true
		}
	}
	switch strings.ToUpper(name) {
	case "USERNAME":
		return os.LookupEnv("USER")
	case "USERPROFILE":
		return os.LookupEnv("HOME")
	case "COMPUTERNAME":
		if v, ok := os.LookupEnv("HOSTNAME"); ok {
			return v, true
		}
		if h, err := os.Hostname(); err == nil {
			return h, true
		}
	}
	return "", false
}
