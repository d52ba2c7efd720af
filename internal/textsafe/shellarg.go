package textsafe

import "strings"

// ShellArg returns s as one word a POSIX shell reads back as s, for the
// commands that hints print (themselves shown in single quotes): s itself
// when it is non-empty and only of letters, digits and @%+=:,./_-; else s
// in double quotes when it has none of $ ` \ " ! (story 4's hint: run
// 'mapictl credential set "Corp Mail"'); else s in single quotes, with each
// single quote in s closed, escaped with a backslash and reopened.
func ShellArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !shellSafe(r) }) < 0 {
		return s
	}
	if !strings.ContainsAny(s, "$`\\\"!") {
		return `"` + s + `"`
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
