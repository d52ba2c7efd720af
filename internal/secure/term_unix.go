//go:build !windows

package secure

import (
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/mapictl/mapictl/internal/mapi"
)

// openTTY opens the controlling terminal.
func openTTY() (*os.File, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}

// readFDByte reads into b from fd without wrapping fd in an *os.File (whose
// finalizer would close it); n == 0 with a nil error is end of file.
func readFDByte(fd int, b []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, b)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}

type ttyResult struct {
	b   []byte
	err error
}

// readTTY prompts on /dev/tty and reads one line, without echo when secret.
// SIGINT (Ctrl-C, which the terminal still turns into a signal while
// echo is off) restores the terminal and returns UserCancel; the blocked
// reader is then abandoned, as the process is about to exit.
func readTTY(prompt string, secret bool) ([]byte, error) {
	tty, err := openTTY()
	if err != nil {
		return nil, noTTY(err)
	}
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		tty.Close()
		return nil, noTTY(err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)

	printPrompt(tty, prompt)
	done := make(chan ttyResult, 1)
	go func() {
		var r ttyResult
		if secret {
			r.b, r.err = term.ReadPassword(fd)
		} else {
			r.b, r.err = readEchoedLine(tty)
		}
		done <- r
	}()
	select {
	case <-sig:
		_ = term.Restore(fd, state)
		clearLine(tty)
		// tty stays open: the reader goroutine still uses its descriptor.
		return nil, errCancel()
	case r := <-done:
		defer tty.Close()
		if secret {
			clearLine(tty)
		}
		if errors.Is(r.err, io.EOF) && len(r.b) == 0 {
			if !secret {
				tty.WriteString("\r\n")
			}
			return nil, errCancel()
		}
		if r.err != nil && !errors.Is(r.err, io.EOF) {
			return nil, mapi.Wrap(mapi.DiskError, r.err, "cannot read from the terminal")
		}
		return r.b, nil
	}
}

// readEchoedLine reads bytes from f up to a newline (not returned) or end
// of file.
func readEchoedLine(f *os.File) ([]byte, error) {
	var line []byte
	b := make([]byte, 1)
	for len(line) < passphraseLimit {
		n, err := f.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return TrimNewline(append(line, '\n')), nil
			}
			line = append(line, b[0])
		}
		if err != nil {
			return line, err
		}
	}
	return line, nil
}
