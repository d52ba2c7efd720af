package secure

import (
	"bufio"
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/mapictl/mapictl/internal/mapi"
)

// scanKeyLines calls fn with each meaningful line of a key file (identities
// or recipients) and its 1-based number: lines are trimmed, blank lines and
// '#' comments skipped, lines that are not UTF-8 refused. label names the
// file in errors, which name lines, never their content.
func scanKeyLines(label string, b []byte, limit int, fn func(n int, line string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), limit)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return mapi.Errorf(mapi.InvalidParameter, "%s: line %d is not valid UTF-8", label, n)
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return mapi.Wrap(mapi.InvalidParameter, err, label+": cannot read the file")
	}
	return nil
}
