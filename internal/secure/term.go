package secure

// UI rules for this file: prompts go to the controlling terminal (/dev/tty),
// never to stdout or stderr, so `eval "$(mapictl …)"` still prompts; control
// characters in a prompt are replaced; a secret is read without echo and its
// prompt line is erased afterwards; the terminal is restored on every path,
// including Ctrl-C; Ctrl-C and Ctrl-D on an empty line are UserCancel.

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"github.com/mapictl/mapictl/internal/mapi"
)

// errCancel is the error of a prompt the user cancelled.
func errCancel() error { return mapi.Errorf(mapi.UserCancel, "cancelled at the prompt") }

// CanPrompt reports whether a prompt is possible: noInput is false and the
// controlling terminal opens (stdin and stdout may be redirected).
func CanPrompt(noInput bool) bool {
	if noInput {
		return false
	}
	in, out, err := openTTY()
	if err != nil {
		return false
	}
	in.Close()
	if out != in {
		out.Close()
	}
	return true
}

// printPrompt writes prompt and a space to out, control characters replaced.
func printPrompt(out io.Writer, prompt string) {
	fmt.Fprintf(out, "%s ", strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, prompt))
}

// clearLine ends the prompt line and erases it: a CRLF always works, then
// "cursor previous line" and "erase line" escape codes.
func clearLine(out io.Writer) {
	fmt.Fprint(out, "\r\n\x1b[F\x1b[K")
}

// ReadSecret prints prompt on the controlling terminal and reads a line
// without echo (the terminal in raw mode through golang.org/x/term),
// restoring the terminal on every path and erasing the prompt line
// afterwards. Errors: UserCancel on Ctrl-C or Ctrl-D/EOF on an empty line;
// Unconfigured when there is no terminal; DiskError when reading fails.
func ReadSecret(prompt string) ([]byte, error) {
	return readTTY(prompt, true)
}

// ReadLine prints prompt on the controlling terminal and reads an echoed
// line (e.g. a username), without its line ending. Errors as [ReadSecret].
func ReadLine(prompt string) (string, error) {
	b, err := readTTY(prompt, false)
	return string(b), err
}

// noTTY is the error when the controlling terminal does not open.
func noTTY(err error) error {
	return mapi.Wrap(mapi.Unconfigured, err, "cannot prompt: no terminal").
		WithHint("set MAPICTL_PASSPHRASE_FD, or run on a terminal")
}

// fdCache holds what PassphraseFromFD read, per fd, for the process.
var fdCache struct {
	sync.Mutex
	m map[int]fdResult
}

type fdResult struct {
	pass []byte
	err  error
}

// PassphraseFromFD reads one passphrase from the open file descriptor fd
// (MAPICTL_PASSPHRASE_FD): bytes up to the first newline or end of file,
// one trailing "\n" or "\r\n" removed. It reads fd once per process; later
// calls return a copy of the same result. Errors: InvalidParameter for a
// bad fd or an empty passphrase, DiskError when reading fails.
func PassphraseFromFD(fd int) ([]byte, error) {
	fdCache.Lock()
	defer fdCache.Unlock()
	if r, ok := fdCache.m[fd]; ok {
		return bytes.Clone(r.pass), r.err
	}
	p, err := readFD(fd)
	if fdCache.m == nil {
		fdCache.m = map[int]fdResult{}
	}
	fdCache.m[fd] = fdResult{p, err}
	return bytes.Clone(p), err
}

// passphraseLimit bounds a passphrase read from a file descriptor.
const passphraseLimit = 64 << 10

func readFD(fd int) ([]byte, error) {
	if fd < 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "invalid passphrase file descriptor %d", fd)
	}
	var line []byte
	b := make([]byte, 1)
	for len(line) <= passphraseLimit {
		n, err := readFDByte(fd, b)
		if err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, fmt.Sprintf("cannot read the passphrase from file descriptor %d", fd))
		}
		if n == 0 {
			break
		}
		line = append(line, b[0])
		if b[0] == '\n' {
			break
		}
	}
	if len(line) > passphraseLimit {
		return nil, mapi.Errorf(mapi.InvalidParameter, "passphrase on file descriptor %d is too long", fd)
	}
	p := TrimNewline(line)
	if len(p) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "empty passphrase on file descriptor %d", fd)
	}
	return p, nil
}

// TrimNewline removes one trailing "\n" or "\r\n" from b, nothing else.
func TrimNewline(b []byte) []byte {
	if bytes.HasSuffix(b, []byte("\r\n")) {
		return b[:len(b)-2]
	}
	if bytes.HasSuffix(b, []byte("\n")) {
		return b[:len(b)-1]
	}
	return b
}
