package textsafe

import (
	"strconv"
	"strings"
	"unicode"
)

// QuoteControl returns s, or s quoted in Go syntax without the enclosing
// quotes (strconv.Quote: backslashes and double quotes escaped too) when it
// holds a control character (unicode.IsControl), so that a name read from
// a file cannot drive the terminal. Unlike [Escape], text without a control
// character is never changed.
func QuoteControl(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
