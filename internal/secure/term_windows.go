//go:build windows

package secure

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/term"

	"github.com/mapictl/mapictl/internal/mapi"
)

// openTTY opens the console input.
func openTTY() (*os.File, error) {
	return os.OpenFile("CONIN$", os.O_RDWR, 0)
}

// readFDByte reads into b from the handle fd; n == 0 with a nil error is
// end of file.
func readFDByte(fd int, b []byte) (int, error) {
	n, err := syscall.Read(syscall.Handle(fd), b)
	if errors.Is(err, syscall.ERROR_BROKEN_PIPE) {
		return 0, nil
	}
	return n, err
}

// readTTY prompts on the console and reads one line, without echo when
// secret.
func readTTY(prompt string, secret bool) ([]byte, error) {
	in, err := openTTY()
	if err != nil {
		return nil, noTTY(err)
	}
	defer in.Close()
	out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return nil, noTTY(err)
	}
	defer out.Close()
	printPrompt(out, prompt)
	var b []byte
	if secret {
		b, err = term.ReadPassword(int(in.Fd()))
		clearLine(out)
	} else {
		b, err = readLineFrom(in)
	}
	if errors.Is(err, io.EOF) && len(b) == 0 {
		return nil, errCancel()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, mapi.Wrap(mapi.DiskError, err, "cannot read from the terminal")
	}
	return b, nil
}

func readLineFrom(f *os.File) ([]byte, error) {
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
