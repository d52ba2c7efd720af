package term

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// fakeTTY is a TTY on pipes: what the user types is written to typed, what
// the prompt prints is read from printed once the prompt returns.
type fakeTTY struct {
	tty      TTY
	typed    *os.File // write end of the terminal's input
	printed  *os.File // read end of the terminal's output
	raw      int      // times raw mode was entered
	restored int      // times it was restored
}

func newFakeTTY(t *testing.T) *fakeTTY {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inW.Close(); outR.Close() })
	f := &fakeTTY{typed: inW, printed: outR}
	f.tty = TTY{
		open: func() (*os.File, *os.File, error) { return inR, outW, nil },
		raw: func(*os.File) (func(), error) {
			f.raw++
			return func() { f.restored++ }, nil
		},
	}
	return f
}

// output is what the prompt printed (its output is closed when it returns).
func (f *fakeTTY) output(t *testing.T) string {
	t.Helper()
	b, err := io.ReadAll(f.printed)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTTYReads(t *testing.T) {
	f := newFakeTTY(t)
	f.typed.WriteString("bob\r")
	got, err := f.tty.Line(context.Background(), "Username:")
	if err != nil || got != "bob" {
		t.Fatalf("Line = %q, %v", got, err)
	}
	if out := f.output(t); out != "Username: bob\r\n" {
		t.Fatalf("printed %q", out)
	}
	if f.raw != 1 || f.restored != 1 {
		t.Fatalf("raw %d times, restored %d times", f.raw, f.restored)
	}

	f = newFakeTTY(t)
	f.typed.WriteString("s3cret\r")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := f.tty.Secret(ctx, "Passphrase:")
	if err != nil || string(b) != "s3cret" {
		t.Fatalf("Secret = %q, %v", b, err)
	}
	if out := f.output(t); out != "Passphrase: \r\n\x1b[F\x1b[K" {
		t.Fatalf("printed %q (a secret is not echoed and its line is erased)", out)
	}
}

// TestTTYCtrlC: Ctrl-C typed in raw mode cancels, the terminal restored.
func TestTTYCtrlC(t *testing.T) {
	f := newFakeTTY(t)
	f.typed.WriteString("abc\x03")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := f.tty.Secret(ctx, "Passphrase:")
	wantCode(t, err, mapi.UserCancel, "")
	if f.restored != 1 {
		t.Fatalf("terminal restored %d times", f.restored)
	}
}

// TestTTYContextCancel: a prompt blocked on the terminal returns
// UserCancel soon after its context is cancelled (SIGINT, SIGTERM), with
// the terminal restored and the prompt line ended.
func TestTTYContextCancel(t *testing.T) {
	for _, secret := range []bool{true, false} {
		f := newFakeTTY(t)
		f.typed.WriteString("half typed") // no Enter: the read blocks
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		var err error
		if secret {
			_, err = f.tty.Secret(ctx, "Passphrase:")
		} else {
			_, err = f.tty.Line(ctx, "Username:")
		}
		cancel()
		wantCode(t, err, mapi.UserCancel, "cancelled")
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("returned after %v", d)
		}
		if f.raw != 1 || f.restored != 1 {
			t.Fatalf("raw %d times, restored %d times", f.raw, f.restored)
		}
		out := f.output(t)
		if secret && (strings.Contains(out, "half") || !strings.HasSuffix(out, "\r\n\x1b[F\x1b[K")) {
			t.Fatalf("secret prompt printed %q", out)
		}
		if !secret && out != "Username: half typed\r\n" {
			t.Fatalf("line prompt printed %q", out)
		}
	}
}

// TestTTYCancelledBefore: a context cancelled before the prompt asks
// nothing.
func TestTTYCancelledBefore(t *testing.T) {
	f := newFakeTTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.tty.Secret(ctx, "Passphrase:")
	wantCode(t, err, mapi.UserCancel, "")
	if f.raw != 0 {
		t.Fatal("terminal put in raw mode under a cancelled context")
	}
}

// blockingReader has no SetReadDeadline (as a Windows console): a read
// blocks until release is closed, then reports end of input.
type blockingReader struct{ release chan struct{} }

func (r blockingReader) Read([]byte) (int, error) {
	<-r.release
	return 0, io.EOF
}

func TestReadLineCancelWithoutDeadline(t *testing.T) {
	r := blockingReader{make(chan struct{})}
	defer close(r.release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := readLine(ctx, r, nil)
		done <- err
	}()
	select {
	case err := <-done:
		wantCode(t, err, mapi.UserCancel, "")
	case <-time.After(2 * time.Second):
		t.Fatal("readLine did not return on a cancelled context")
	}
}
