package textsafe

import "strings"

// ShellArg returns s as a POSIX shell needs it written to be one argument,
// so that a command in a hint works when pasted: s unchanged when it is
// not empty and holds only A-Z, a-z, 0-9 and @%+=:,./_- ; otherwise s in
// single quotes, each single quote in it closing the quotes, escaped,
// then reopening them:
//
//	ShellArg("work") == "work"
//	ShellArg("my work") == "'my work'"
//	ShellArg("it's") == `'it'\''s'`
//	ShellArg("") == "''"
func ShellArg(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !shellSafe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellSafe(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)
}
