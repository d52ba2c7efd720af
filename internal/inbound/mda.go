package inbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
)

// MDA outcomes.
const (
	mdaDelivered = iota
	mdaLater
	mdaRejected
)

// spool copies r into a private temporary file in dir (0600), rewound, and
// returns it with its size and hex SHA-256; the caller closes and removes
// it. Memory stays bounded whatever the size.
func spool(dir string, r io.Reader) (f *os.File, n int64, digest string, err error) {
	f, err = os.CreateTemp(dir, ".mda-*")
	if err != nil {
		return nil, 0, "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			f = nil
		}
	}()
	h := sha256.New()
	var w io.Writer = f
	if testOnlyWriter != nil {
		w = testOnlyWriter(w)
	}
	if n, err = io.Copy(io.MultiWriter(w, h), r); err != nil {
		return nil, 0, "", err
	}
	if _, err = f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, "", err
	}
	return f, n, hex.EncodeToString(h.Sum(nil)), nil
}

// runMDA runs argv (no shell) with msg on stdin and env added to the
// environment minus every MAPICTL_* variable; its output goes to out. It returns the outcome by
// exit status (0 delivered, 75 later, else rejected), the status, and an
// error only when the program could not be run at all.
func runMDA(ctx context.Context, argv []string, msg io.Reader, env []string, out io.Writer) (outcome, status int, err error) {
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Stdin = msg
	c.Stdout, c.Stderr = out, out // nil: discarded
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAPICTL_") && !strings.HasPrefix(kv, "MAPI_SECTION=") &&
			!strings.HasPrefix(kv, "MAPI_ADDRESS=") && !strings.HasPrefix(kv, "MAPI_MSGREF=") {
			c.Env = append(c.Env, kv)
		}
	}
	c.Env = append(c.Env, env...)
	err = c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return mdaDelivered, 0, nil
	case ctx.Err() != nil:
		return mdaLater, -1, nil
	case errors.As(err, &ee):
		if ee.ExitCode() == 75 {
			return mdaLater, 75, nil
		}
		return mdaRejected, ee.ExitCode(), nil
	}
	return 0, 0, err
}
