package secure

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/mapictl/mapictl/internal/mapi"
)

// recipientsFileLimit and lineLimit bound a recipients file as age does.
const (
	recipientsFileLimit = 16 << 20
	lineLimit           = 8 << 10
)

// ParseRecipientsFile reads one recipient per line from path ('#' comments
// and blank lines skipped) and returns them normalized ([NormalizeRecipient]).
// Errors: NotFound for a missing file, DiskError for I/O, InvalidParameter for
// a line that does not parse (naming the line, never its content) or a file
// without recipients.
func ParseRecipientsFile(path string) ([]string, error) {
	b, err := readLimited(path, recipientsFileLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, mapi.Errorf(mapi.NotFound, "recipients file %q does not exist", path)
	}
	if err != nil {
		return nil, err
	}
	return parseRecipientLines(path, b)
}

func parseRecipientLines(name string, b []byte) ([]string, error) {
	var rs []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), recipientsFileLimit)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%q: line %d is not valid UTF-8", name, n)
		}
		if len(line) > lineLimit {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%q: line %d is too long", name, n)
		}
		if strings.HasPrefix(strings.ToUpper(line), "AGE-") {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%q: line %d is an identity, not a recipient", name, n)
		}
		r, err := NormalizeRecipient(line)
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%q: malformed recipient at line %d", name, n)
		}
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, mapi.Wrap(mapi.InvalidParameter, err, "cannot read recipients file")
	}
	if len(rs) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "%q: no recipients found", name)
	}
	return rs, nil
}
