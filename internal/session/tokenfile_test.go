package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestReadTokenFile: --session-file loses one trailing newline (LF or
// CRLF); a missing, empty or oversized file is MAPI_E_LOGON_FAILED whose
// message never holds the file's content.
func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string
		fail                bool
	}{
		{name: "plain", content: "tok", want: "tok"},
		{name: "lf", content: "tok\n", want: "tok"},
		{name: "crlf", content: "tok\r\n", want: "tok"},
		{name: "one newline only", content: "tok\n\n", want: "tok\n"},
		{name: "empty", content: "", fail: true},
		{name: "newline only", content: "\n", fail: true},
		{name: "too large", content: strings.Repeat("x", tokenFileLimit+1), fail: true},
		{name: "missing", fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if tc.name != "missing" {
				if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ReadTokenFile(path)
			if tc.fail {
				if !mapi.IsCode(err, mapi.LogonFailed) {
					t.Fatalf("got %q, %v; want MAPI_E_LOGON_FAILED", got, err)
				}
				if tc.content != "" && strings.Contains(err.Error(), tc.content) {
					t.Fatalf("error holds the content: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
