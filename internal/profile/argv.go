package profile

import (
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
)

// SplitArgv splits inbound.mda into the argv of the program to run, with
// shell-like quoting but no shell (docs/properties.md "inbound.mda"):
//
//   - unquoted spaces, tabs and newlines separate words;
//   - '...' keeps everything inside as it is (no escape inside);
//   - "..." keeps everything inside, except that \" and \\ stand for " and \
//     (any other backslash stays a backslash);
//   - outside quotes, a backslash keeps the next character as it is;
//   - a pair of empty quotes gives an empty word; nothing is expanded: no $VAR, no ~, no
//     globbing, no redirection or pipes (a '|' or '>' is an ordinary byte).
//
// An unterminated quote, a trailing backslash, a NUL byte or a command
// with no word at all is MAPI_E_INVALID_PARAMETER.
func SplitArgv(s string) ([]string, error) {
	bad := func(why string) error {
		return mapi.Errorf(mapi.InvalidParameter, "invalid inbound.mda %q: %s", clip(s), why).
			WithHint("give the program and its arguments quoted as in a shell, e.g. inbound.mda='/usr/bin/maildrop -d dana'; nothing is expanded ($VAR, ~, globs) and no shell runs")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return nil, bad("contains a NUL byte")
	}
	var (
		argv  []string
		word  strings.Builder
		inArg bool // a word has begun (possibly empty, by quotes)
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inArg {
				argv = append(argv, word.String())
				word.Reset()
				inArg = false
			}
		case c == '\\':
			if i+1 >= len(s) {
				return nil, bad("ends with a backslash")
			}
			i++
			word.WriteByte(s[i])
			inArg = true
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, bad("unterminated single quote")
			}
			word.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inArg = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				word.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, bad("unterminated double quote")
			}
			inArg = true
		default:
			word.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		argv = append(argv, word.String())
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, bad("no program named")
	}
	return argv, nil
}
