package secure

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"

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
	err := scanKeyLines(strconv.Quote(name), b, recipientsFileLimit, func(n int, line string) error {
		if len(line) > lineLimit {
			return mapi.Errorf(mapi.InvalidParameter, "%q: line %d is too long", name, n)
		}
		if strings.HasPrefix(strings.ToUpper(line), "AGE-") {
			return mapi.Errorf(mapi.InvalidParameter, "%q: line %d is an identity, not a recipient", name, n)
		}
		r, err := NormalizeRecipient(line)
		if err != nil {
			return mapi.Errorf(mapi.InvalidParameter, "%q: malformed recipient at line %d", name, n)
		}
		rs = append(rs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "%q: no recipients found", name)
	}
	return rs, nil
}
