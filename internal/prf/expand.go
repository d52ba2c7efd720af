package prf

import (
	"os"
	"strings"
)

// expand replaces each %NAME% in v whose NAME getenv defines (as written
// or in upper case), as Windows' ExpandEnvironmentStrings does: an
// undefined %NAME% is kept literally, as is a lone % or %%, and its closing
// % may open the next placeholder. A nil getenv defines nothing.
func expand(v string, getenv func(string) (string, bool)) string {
	if getenv == nil || !strings.Contains(v, "%") {
		return v
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '%')
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		j := strings.IndexByte(v[i+1:], '%')
		if j < 0 {
			b.WriteString(v)
			return b.String()
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
			b.WriteString(val)
			v = v[j+1:]
			continue
		}
		// Undefined: keep "%NAME" and rescan from the closing %, which
		// may open the next placeholder ("100% %USERNAME%").
		b.WriteString(v[i:j])
		v = v[j:]
	}
}

// lookup asks getenv for name as written, then in upper case: Windows
// variable names ignore case and PRFs are written for Windows.
func lookup(getenv func(string) (string, bool), name string) (string, bool) {
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
// (or the host name) when not set. It is a ready getenv for [Parse].
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
