package term

// UI rules for this file: prompts go to the controlling terminal (/dev/tty),
// never to stdout or stderr, so `eval "$(mapictl …)"` still prompts; control
// characters in a prompt are replaced; a secret is read without echo and its
// prompt line is erased afterwards; the terminal is restored on every path,
// including Ctrl-C and a cancelled context; Ctrl-C, Ctrl-D on an empty line
// and a cancelled context are UserCancel.

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	xterm "golang.org/x/term"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TTY is the [Prompter] on the controlling terminal (/dev/tty; CONIN$ and
// CONOUT$ on Windows), opened for each prompt and put in raw mode while it
// reads (golang.org/x/term), so stdin and stdout may be redirected. The
// zero value is ready to use.
type TTY struct {
	// open opens the terminal for reading and writing; nil: openTTY.
	open func() (in, out *os.File, err error)
	// raw puts in into raw mode and returns how to restore it; nil: rawMode.
	raw func(in *os.File) (restore func(), err error)
}

var _ Prompter = TTY{}

func (t TTY) opener() func() (in, out *os.File, err error) {
	if t.open != nil {
		return t.open
	}
	return openTTY
}

// CanPrompt reports whether the controlling terminal opens.
func (t TTY) CanPrompt() bool {
	in, out, err := t.opener()()
	if err != nil {
		return false
	}
	in.Close()
	if out != in {
		out.Close()
	}
	return true
}

// Secret prints prompt on the terminal and reads a line without echo,
// restoring the terminal on every path and erasing the prompt line
// afterwards. Errors: UserCancel on Ctrl-C, Ctrl-D/EOF on an empty line or
// when ctx is cancelled (before or while it waits); Unconfigured when there
// is no terminal; DiskError when reading fails.
func (t TTY) Secret(ctx context.Context, prompt string) ([]byte, error) {
	return t.read(ctx, prompt, true)
}

// Line prints prompt on the terminal and reads an echoed line, without its
// line ending. Errors as [TTY.Secret].
func (t TTY) Line(ctx context.Context, prompt string) (string, error) {
	b, err := t.read(ctx, prompt, false)
	return string(b), err
}

// read prompts on the terminal and reads one line in raw mode, echoing it
// only when !secret. The terminal state is restored on every path before
// the prompt line is ended (and, for a secret, erased).
func (t TTY) read(ctx context.Context, prompt string, secret bool) ([]byte, error) {
	if ctx.Err() != nil {
		return nil, errCancel()
	}
	in, out, err := t.opener()()
	if err != nil {
		return nil, noTTY(err)
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	raw := t.raw
	if raw == nil {
		raw = rawMode
	}
	restore, err := raw(in)
	if err != nil {
		return nil, noTTY(err)
	}
	printPrompt(out, prompt)
	var echo io.Writer
	if !secret {
		echo = out
	}
	line, err := readLine(ctx, in, echo)
	restore()
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

// rawMode puts the terminal f into raw mode. It takes f's descriptor through
// SyscallConn, not f.Fd(), which would make f blocking and so keep
// SetReadDeadline from waking a read when the context is cancelled.
func rawMode(f *os.File) (restore func(), err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	if err := rc.Control(func(u uintptr) { fd = int(u) }); err != nil {
		return nil, err
	}
	state, err := xterm.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return func() { _ = xterm.Restore(fd, state) }, nil
}

// noTTY is the error when the controlling terminal does not open.
func noTTY(err error) error {
	return mapi.Wrap(mapi.Unconfigured, err, "cannot prompt: no terminal").
		WithHint("set MAPICTL_PASSPHRASE_FD, or run on a terminal")
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
