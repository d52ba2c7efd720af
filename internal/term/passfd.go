package term

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/mapictl/mapictl/internal/mapi"
)

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

// HideFDFromChildren keeps the passphrase file descriptor named by env
// (MAPICTL_PASSPHRASE_FD's value) from every program mapictl starts (a
// sendmail.path program, an MDA, a manifest's command): it marks it
// close-on-exec. The descriptor comes from the caller's shell, so Go did
// not open it close-on-exec, and a child would inherit it with the
// passphrase still unread on it (under a session nothing reads it). Call
// it before starting any program. Standard input, output and error
// (0-2) and values that are not a descriptor are left alone. A no-op on
// Windows, where a child inherits only the handles it is given.
func HideFDFromChildren(env string) {
	fd, err := strconv.Atoi(strings.TrimSpace(env))
	if err != nil || fd <= 2 {
		return
	}
	closeOnExec(fd)
}

// passphraseLimit bounds a passphrase read from a file descriptor, and a
// line read at a prompt.
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
