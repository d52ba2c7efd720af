package term

// This line editor stays, and golang.org/x/term's Terminal does not replace
// it, because Terminal hands the line back as a string (and regrows its rune
// buffer as it goes), so a secret cannot be wiped, and it moves the cursor
// and recalls history on arrow keys where this editor ignores them (its
// echo and the result of "a, Left, b" differ: TestEditLine), while its
// ReadPassword loops for ever when a terminal read returns 0 at Ctrl-D.

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Keys the line editor handles; the terminal is in raw mode, so they arrive
// as bytes instead of signals.
const (
	keyCtrlC     = 0x03
	keyCtrlD     = 0x04
	keyBackspace = 0x08
	keyCtrlU     = 0x15
	keyEscape    = 0x1b
	keyDelete    = 0x7f
)

// readLine is editLine on r, returning UserCancel as soon as ctx is
// cancelled. A reader with SetReadDeadline (a terminal *os.File on Unix) is
// woken by a deadline in the past and waited for; any other (a Windows
// console) is left to finish in the background, its line wiped then.
func readLine(ctx context.Context, r io.Reader, echo io.Writer) ([]byte, error) {
	if ctx.Done() == nil {
		return editLine(r, echo)
	}
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := editLine(r, echo)
		done <- result{line, err}
	}()
	select {
	case res := <-done:
		return res.line, res.err
	case <-ctx.Done():
	}
	if d, ok := r.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Now()) == nil {
		res := <-done
		clear(res.line)
	} else {
		go func() {
			res := <-done
			clear(res.line)
		}()
	}
	return nil, errCancel()
}

// editLine reads one line from r (a terminal in raw mode): Enter ends it;
// Backspace/Delete remove a character and Ctrl-U the whole line; escape
// sequences (arrow keys) are ignored, as are other control characters.
// Ctrl-C, and Ctrl-D or end of input on an empty line, are UserCancel. When
// echo is not nil, typed characters are echoed to it.
func editLine(r io.Reader, echo io.Writer) ([]byte, error) {
	var line []byte
	b := make([]byte, 1)
	write := func(s string) {
		if echo != nil {
			io.WriteString(echo, s)
		}
	}
	for {
		n, err := r.Read(b)
		if n == 0 {
			if err == nil {
				err = io.EOF // a terminal's read(2) returns 0 at Ctrl-D
			}
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return line, nil
			}
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
				return line, errCancel()
			}
			return line, mapi.Wrap(mapi.DiskError, err, "cannot read from the terminal")
		}
		switch c := b[0]; {
		case c == '\r' || c == '\n':
			return line, nil
		case c == keyCtrlC:
			return line, errCancel()
		case c == keyCtrlD:
			if len(line) == 0 {
				return line, errCancel()
			}
		case c == keyBackspace || c == keyDelete:
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				clear(line[len(line)-size:])
				line = line[:len(line)-size]
				write("\b \b")
			}
		case c == keyCtrlU:
			for range utf8.RuneCount(line) {
				write("\b \b")
			}
			clear(line)
			line = line[:0]
		case c == keyEscape:
			skipEscape(r)
		case c < 0x20:
			// other control characters are ignored
		default:
			line = append(line, c)
			if len(line) > passphraseLimit {
				clear(line)
				return nil, mapi.Errorf(mapi.InvalidParameter, "input line is too long")
			}
			write(string(b[:1]))
		}
	}
}

// skipEscape consumes the rest of an escape sequence: "[" or "O", then
// bytes up to a final byte in 0x40–0x7e.
func skipEscape(r io.Reader) {
	b := make([]byte, 1)
	if n, _ := r.Read(b); n == 0 || (b[0] != '[' && b[0] != 'O') {
		return
	}
	for {
		if n, _ := r.Read(b); n == 0 || (b[0] >= 0x40 && b[0] <= 0x7e) {
			return
		}
	}
}
