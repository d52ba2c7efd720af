package textsafe

import "strings"

// ShellArg returns s as one word a POSIX shell reads back as s, for the
// commands that hints print: s itself when it is non-empty and only of
// letters, digits and @%+=:,./_-, else s in single quotes, with each
// single quote in s closed, escaped with a backslash and reopened. A hint
// naming a profile or section whose name has a space can then be pasted
// as it is.
func ShellArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !shellSafe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellSafe(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("@%+=:,./_-", r)
}
