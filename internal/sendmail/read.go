package sendmail

import (
	"bufio"
	"bytes"
	"io"
)

// ReadMessage reads the message a sendmail caller writes to r. Without
// ignoreDots (no -i/-oi) a line holding a lone "." (with LF or CRLF) ends
// the message, as in traditional sendmail; that line and what follows it
// are not read further. With ignoreDots the message is all of r. The bytes
// before the end are returned unchanged.
func ReadMessage(r io.Reader, ignoreDots bool) ([]byte, error) {
	if ignoreDots {
		return io.ReadAll(r)
	}
	br := bufio.NewReader(r)
	var out bytes.Buffer
	for {
		line, err := br.ReadBytes('\n')
		if isDotLine(line) {
			return out.Bytes(), nil
		}
		out.Write(line)
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// isDotLine reports whether line is ".\n", ".\r\n" or a final ".".
func isDotLine(line []byte) bool {
	s := string(line)
	return s == ".\n" || s == ".\r\n" || s == "."
}
