package transport

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// pop3UnstuffRef is the reference dot-unstuffing on a whole input: split
// after each LF; a line ".\r\n" or ".\n" ends the body (ok, and rest is
// what follows it); a line starting with "." loses that dot. ok is false
// when the input ends before the terminator.
func pop3UnstuffRef(in []byte) (body, rest []byte, ok bool) {
	body = []byte{}
	for len(in) > 0 {
		i := bytes.IndexByte(in, '\n')
		if i < 0 {
			return body, nil, false
		}
		line := in[:i+1]
		in = in[i+1:]
		if string(line) == ".\r\n" || string(line) == ".\n" {
			return body, in, true
		}
		if line[0] == '.' {
			line = line[1:]
		}
		body = append(body, line...)
	}
	return body, nil, false
}

// pop3Unstuff runs pop3DotReader over in, read through readers of the
// given kind, and returns the body, the bytes left after it and the error.
func pop3Unstuff(in []byte, wrap func(io.Reader) io.Reader) ([]byte, []byte, error) {
	br := bufio.NewReaderSize(wrap(bytes.NewReader(in)), 16)
	body, err := io.ReadAll(newPOP3DotReader(br))
	rest, _ := io.ReadAll(br)
	return body, rest, err
}

func TestPOP3DotReader(t *testing.T) {
	tests := []struct{ name, in, body string }{
		{"empty", ".\r\n", ""},
		{"plain", "a\r\nb\r\n.\r\n", "a\r\nb\r\n"},
		{"stuffed", "..x\r\n...\r\n..\r\n.\r\n", ".x\r\n..\r\n.\r\n"},
		{"bare cr", "a\rb\r\n.\rc\r\n\r.\r\n.\r\n", "a\rb\r\n\rc\r\n\r.\r\n"},
		{"bare lf", "a\nb\n.x\n.\n", "a\nb\nx\n"},
		{"nul and 8-bit", "S\x00\xe9\xff\r\n.\r\n", "S\x00\xe9\xff\r\n"},
		{"dot cr cr", ".\r\r\n.\r\n", "\r\r\n"},
		{"long line", strings.Repeat("x", 5000) + "\r\n.\r\n", strings.Repeat("x", 5000) + "\r\n"},
		{"no body", "Subject: x\r\n\r\n.\r\n", "Subject: x\r\n\r\n"},
	}
	wraps := map[string]func(io.Reader) io.Reader{
		"whole":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
	}
	for _, tt := range tests {
		for wn, w := range wraps {
			in := tt.in + "+OK next\r\n"
			body, rest, err := pop3Unstuff([]byte(in), w)
			if err != nil || string(body) != tt.body || string(rest) != "+OK next\r\n" {
				t.Errorf("%s/%s: body %q rest %q err %v; want %q", tt.name, wn, body, rest, err, tt.body)
			}
		}
	}
}

func TestPOP3DotReaderUnterminated(t *testing.T) {
	for _, in := range []string{"", "a\r\n", "a\r\n.", "a\r\n.\r", "..\r\n", "x"} {
		_, _, err := pop3Unstuff([]byte(in), iotest.OneByteReader)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: err %v, want unexpected EOF", in, err)
		}
	}
}

// FuzzPOP3DotReader checks the streaming reader against the reference on
// the whole input, read in chunks of one byte, half reads and whole.
func FuzzPOP3DotReader(f *testing.F) {
	for _, s := range []string{".\r\n", "a\r\n..b\r\n.\r\n", "\r.\r\n.\rx\n.\n", "..\r\n.\r\nrest", ".\r\r\n.\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		wantBody, wantRest, ok := pop3UnstuffRef(in)
		for _, w := range []func(io.Reader) io.Reader{iotest.OneByteReader, iotest.HalfReader,
			func(r io.Reader) io.Reader { return r }} {
			body, rest, err := pop3Unstuff(in, w)
			if !ok {
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("unterminated %q: err %v", in, err)
				}
				continue
			}
			if err != nil || !bytes.Equal(body, wantBody) || !bytes.Equal(rest, wantRest) {
				t.Fatalf("%q: body %q rest %q err %v; want %q rest %q", in, body, rest, err, wantBody, wantRest)
			}
		}
	})
}

// pop3Lines yields n copies of line, then the terminator, without
// allocating.
type pop3Lines struct {
	line []byte
	n    int
	off  int
}

func (g *pop3Lines) Read(p []byte) (int, error) {
	if g.n == 0 {
		if g.off == 3 {
			return 0, io.EOF
		}
		k := copy(p, ".\r\n"[g.off:])
		g.off += k
		return k, nil
	}
	k := copy(p, g.line[g.off:])
	if g.off += k; g.off == len(g.line) {
		g.off, g.n = 0, g.n-1
	}
	return k, nil
}

// TestPOP3DotReaderBoundedMemory streams a 32 MB message: what it
// allocates does not grow with the message.
func TestPOP3DotReaderBoundedMemory(t *testing.T) {
	line := []byte(".stuffed " + strings.Repeat("x", 1000) + "\r\n")
	src := &pop3Lines{line: line, n: 32 << 10}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n, err := io.CopyBuffer(io.Discard, newPOP3DotReader(bufio.NewReaderSize(src, pop3ReadBuf)), make([]byte, 8192))
	runtime.ReadMemStats(&after)
	if err != nil || n != int64(32<<10*(len(line)-1)) {
		t.Fatalf("copied %d, %v", n, err)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 1<<20 {
		t.Errorf("allocated %d bytes for a %d-byte message", a, n)
	}
}
