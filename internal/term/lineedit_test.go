package term

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestEditLine(t *testing.T) {
	tests := []struct {
		name, in, want, echo string
		cancel               bool
	}{
		{"enter", "hunter2\r", "hunter2", "hunter2", false},
		{"newline", "hunter2\nrest", "hunter2", "hunter2", false},
		{"empty line", "\r", "", "", false},
		{"backspace", "ab\x7fc\r", "ac", "ab\b \bc", false},
		{"backspace utf-8", "pé\x08x\r", "px", "pé\b \bx", false},
		{"backspace on empty", "\x7f\x7fa\r", "a", "a", false},
		{"ctrl-u", "abc\x15xy\r", "xy", "abc\b \b\b \b\b \bxy", false},
		{"arrow keys ignored", "a\x1b[Db\x1bOAc\r", "abc", "abc", false},
		{"control chars ignored", "a\tb\x01\r", "ab", "ab", false},
		{"eof after text", "abc", "abc", "abc", false},
		{"ctrl-c", "abc\x03def\r", "", "", true},
		{"ctrl-d empty", "\x04", "", "", true},
		{"ctrl-d ignored mid-line", "ab\x04c\r", "abc", "abc", false},
		{"eof empty", "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var echo bytes.Buffer
			got, err := editLine(strings.NewReader(tt.in), &echo)
			if tt.cancel {
				wantCode(t, err, mapi.UserCancel, "")
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("editLine = %q, %v; want %q", got, err, tt.want)
			}
			if !strings.HasPrefix(echo.String(), tt.echo) || echo.Len() != len(tt.echo) {
				t.Fatalf("echo = %q, want %q", echo.String(), tt.echo)
			}
			// Without echo (a secret) the result is the same.
			got, err = editLine(strings.NewReader(tt.in), nil)
			if err != nil || string(got) != tt.want {
				t.Fatalf("editLine without echo = %q, %v", got, err)
			}
		})
	}
	_, err := editLine(strings.NewReader(strings.Repeat("a", passphraseLimit+1)), nil)
	wantCode(t, err, mapi.InvalidParameter, "too long")
}

func TestPrintPromptReplacesControls(t *testing.T) {
	var b bytes.Buffer
	printPrompt(&b, "Enter passphrase for \"a\x1b[2Jb\":")
	if got := b.String(); strings.ContainsRune(got, 0x1b) || !strings.HasSuffix(got, ": ") {
		t.Fatalf("printPrompt wrote %q", got)
	}
}
