package secure

import (
	"errors"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/term"

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

// readTTY prompts on the terminal and reads one line in raw mode, echoing it
// only when !secret. The terminal state is restored on every path before
// the prompt line is ended (and, for a secret, erased).
//
// golang.org/x/term.ReadPassword is not used: on a Unix terminal, Ctrl-D on
// an empty line makes read(2) return 0 with no error, which ReadPassword
// loops on for ever; and Ctrl-C would kill the process with echo still off.
func readTTY(prompt string, secret bool) ([]byte, error) {
	in, out, err := openTTY()
	if err != nil {
		return nil, noTTY(err)
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	fd := int(in.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil, noTTY(err)
	}
	printPrompt(out, prompt)
	var echo io.Writer
	if !secret {
		echo = out
	}
	line, err := editLine(in, echo)
	_ = term.Restore(fd, state)
	if secret {
		clearLine(out)
	} else {
		io.WriteString(out, "\r\n")
	}
	if err != nil {
		clear(line)
		return nil, err
	}
	return line, nil
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
