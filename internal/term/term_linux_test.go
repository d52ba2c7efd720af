//go:build linux

package term

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mapictl/mapictl/internal/mapi"
)

// openPTY opens a pseudo-terminal: master is the user's side; the slave is
// opened twice, tty for the prompt (which closes it) and probe to read the
// terminal's settings afterwards.
func openPTY(t *testing.T) (master, tty, probe *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var n uint32
	rc, _ := m.SyscallConn()
	rc.Control(func(fd uintptr) {
		if err = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); err == nil {
			n, err = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN)
		}
	})
	if err != nil {
		t.Skipf("cannot unlock the pseudo-terminal: %v", err)
	}
	open := func() *os.File {
		f, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
		if err != nil {
			t.Skipf("cannot open the pseudo-terminal: %v", err)
		}
		return f
	}
	tty, probe = open(), open()
	t.Cleanup(func() { tty.Close(); probe.Close() })
	return m, tty, probe
}

func termios(t *testing.T, f *os.File) *unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio
}

// TestTTYCancelRestoresPTY: on a real terminal, a prompt in raw mode that
// is cancelled by its context or by Ctrl-C leaves echo and line mode on
// as they were.
func TestTTYCancelRestoresPTY(t *testing.T) {
	for _, how := range []string{"context", "ctrl-c"} {
		t.Run(how, func(t *testing.T) {
			master, slave, probe := openPTY(t)
			before := termios(t, probe)
			if before.Lflag&(unix.ECHO|unix.ICANON) != unix.ECHO|unix.ICANON {
				t.Skip("the pseudo-terminal does not start with echo and line mode")
			}
			tty := TTY{open: func() (*os.File, *os.File, error) { return slave, slave, nil }}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if how == "ctrl-c" {
				ctx = context.Background()
				go func() {
					time.Sleep(50 * time.Millisecond) // after raw mode is on
					master.Write([]byte("abc\x03"))
				}()
			}
			done := make(chan error, 1)
			go func() {
				_, err := tty.Secret(ctx, "Passphrase:")
				done <- err
			}()
			select {
			case err := <-done:
				wantCode(t, err, mapi.UserCancel, "")
			case <-time.After(2 * time.Second):
				t.Fatal("the prompt did not return")
			}
			after := termios(t, probe)
			if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
				t.Fatalf("terminal not restored: lflag %#x -> %#x", before.Lflag, after.Lflag)
			}
		})
	}
}
