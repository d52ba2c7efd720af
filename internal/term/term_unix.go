//go:build !windows

package term

import (
	"errors"
	"os"
	"syscall"
)

// openTTY opens the controlling terminal for reading and writing.
func openTTY() (in, out *os.File, err error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	return f, f, err
}

// closeOnExec marks fd close-on-exec (see HideFDFromChildren); a closed or
// invalid fd is left as it is.
func closeOnExec(fd int) { syscall.CloseOnExec(fd) }

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
