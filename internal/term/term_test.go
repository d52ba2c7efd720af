package term

import (
	"context"
	"os"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestCanPromptNoTerminal(t *testing.T) {
	tty := TTY{open: func() (*os.File, *os.File, error) { return nil, nil, os.ErrNotExist }}
	if tty.CanPrompt() {
		t.Fatal("CanPrompt() = true without a terminal")
	}
	_, err := tty.Secret(context.Background(), "Passphrase:")
	wantCode(t, err, mapi.Unconfigured, "no terminal")
	_, err = tty.Line(context.Background(), "Username:")
	wantCode(t, err, mapi.Unconfigured, "no terminal")
}

func TestTrimNewline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"pass", "pass"},
		{"pass\n", "pass"},
		{"pass\r\n", "pass"},
		{"pass\n\n", "pass\n"},
		{"pass\r", "pass\r"},
		{"pass\n\r", "pass\n\r"},
		{" pass \n", " pass "},
		{"\n", ""},
		{"\r\n", ""},
	}
	for _, tt := range tests {
		if got := string(TrimNewline([]byte(tt.in))); got != tt.want {
			t.Errorf("TrimNewline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// openPipes keeps test pipes open for the whole run: PassphraseFromFD
// caches by descriptor number, so a number must not be reused.
var openPipes []*os.File

// pipeFD returns the read end of a pipe holding content (closed for writing).
func pipeFD(t *testing.T, content string) int {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	openPipes = append(openPipes, r)
	if _, err := w.WriteString(content); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return int(r.Fd())
}

func TestPassphraseFromFD(t *testing.T) {
	fd := pipeFD(t, "s3cret\r\nsecond line\n")
	for range 2 {
		p, err := PassphraseFromFD(fd)
		if err != nil || string(p) != "s3cret" {
			t.Fatalf("PassphraseFromFD = %q, %v", p, err)
		}
		p[0] = 'X' // callers may wipe their copy
	}
	p, err := PassphraseFromFD(pipeFD(t, "no newline"))
	if err != nil || string(p) != "no newline" {
		t.Fatalf("PassphraseFromFD = %q, %v", p, err)
	}
	_, err = PassphraseFromFD(pipeFD(t, "\n"))
	wantCode(t, err, mapi.InvalidParameter, "empty passphrase")
	_, err = PassphraseFromFD(-1)
	wantCode(t, err, mapi.InvalidParameter, "")
}
