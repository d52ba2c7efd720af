package term

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestReadSecret: one trailing newline goes; empty and over-long secrets
// are refused without quoting them.
func TestReadSecret(t *testing.T) {
	for in, want := range map[string]string{"pw\n": "pw", "pw\r\n": "pw", "pw\n\n": "pw\n", " pw ": " pw ", "abcd": "abcd"} {
		if got, err := ReadSecret(strings.NewReader(in), 4); err != nil || string(got) != want {
			t.Errorf("ReadSecret(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ReadSecret(strings.NewReader("\n"), 4)
	wantCode(t, err, mapi.InvalidParameter, "empty secret on standard input")
	_, err = ReadSecret(strings.NewReader("abcde"), 4)
	wantCode(t, err, mapi.InvalidParameter, "secret on standard input is too long")
}

// TestAskNewSecret: asked and confirmed, up to three rounds; an empty
// entry and a mismatch are warned about and asked again.
func TestAskNewSecret(t *testing.T) {
	var warned []string
	warn := func(format string, a ...any) { warned = append(warned, fmt.Sprintf(format, a...)) }
	p := &scripted{answers: []string{"", "", "a", "b", "pw", "pw"}}
	got, err := AskNewSecret(context.Background(), p, "SMTP password", warn)
	if err != nil || string(got) != "pw" {
		t.Fatalf("got %q, %v", got, err)
	}
	if want := []string{"SMTP password:", "Confirm SMTP password:"}; !slices.Equal(p.asked[:2], want) || len(p.asked) != 6 || slices.Contains(p.secret, false) {
		t.Fatalf("asked %q (secret %v)", p.asked, p.secret)
	}
	if want := []string{"empty SMTP password, try again", "the two entries differ, try again"}; !slices.Equal(warned, want) {
		t.Fatalf("warned %q", warned)
	}
	p = &scripted{answers: []string{"a", "b", "a", "b", "a", "b", "pw", "pw"}}
	_, err = AskNewSecret(context.Background(), p, "password", warn)
	wantCode(t, err, mapi.InvalidParameter, "the password was not confirmed")
	if len(p.asked) != 6 {
		t.Fatalf("asked %d times, want 6", len(p.asked))
	}
	p = &scripted{answers: []string{"a"}}
	if _, err = AskNewSecret(context.Background(), p, "password", warn); err == nil || len(p.asked) != 2 {
		t.Fatalf("a failed prompt: %v after %d", err, len(p.asked))
	}
}

// TestAskNewPassphrase: one round; empty or differing is refused.
func TestAskNewPassphrase(t *testing.T) {
	p := &scripted{answers: []string{"pass", "pass"}}
	if got, err := AskNewPassphrase(context.Background(), p); err != nil || string(got) != "pass" ||
		!slices.Equal(p.asked, []string{"Enter passphrase:", "Confirm passphrase:"}) {
		t.Fatalf("got %q, %v, asked %q", got, err, p.asked)
	}
	for _, a := range [][]string{{"", ""}, {"a", "b"}} {
		_, err := AskNewPassphrase(context.Background(), &scripted{answers: a})
		wantCode(t, err, mapi.InvalidParameter, "passphrases are empty or do not match")
	}
}
