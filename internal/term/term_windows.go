//go:build windows

package term

import (
	"errors"
	"os"
	"syscall"
)

// openTTY opens the console input and output.
func openTTY() (in, out *os.File, err error) {
	in, err = os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	out, err = os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}

// closeOnExec does nothing: a Windows child inherits only the handles it
// is given (see HideFDFromChildren).
func closeOnExec(int) {}

// readFDByte reads into b from the handle fd; n == 0 with a nil error is
// end of file.
func readFDByte(fd int, b []byte) (int, error) {
	n, err := syscall.Read(syscall.Handle(fd), b)
	if errors.Is(err, syscall.ERROR_BROKEN_PIPE) {
		return 0, nil
	}
	return n, err
}
