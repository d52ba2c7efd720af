package sendmail

import (
	"strings"
	"testing"
)

// Issue 25: `mapictl sendmail --help` prints help (exit 0), as the man page
// says: --help asks for Help wherever it stands among the options, needs no
// recipient, and is a recipient only after "--" or a first recipient.
func TestParseHelp(t *testing.T) {
	for _, args := range []string{"--help", "-t --help", "-i --help -Z", "--section work --help", "--help dana@example.com"} {
		o, err := Parse("sendmail", strings.Fields(args))
		if err != nil {
			t.Fatalf("Parse(%q) = %v, want help", args, err)
		}
		if o.Mode != Help {
			t.Errorf("Parse(%q).Mode = %v, want %v", args, o.Mode, Help)
		}
	}
	for _, args := range []string{"-- --help", "dana@example.com --help"} {
		o, err := Parse("sendmail", strings.Fields(args))
		if err != nil {
			t.Fatalf("Parse(%q) = %v", args, err)
		}
		if o.Mode != Deliver || o.Recipients[len(o.Recipients)-1] != "--help" {
			t.Errorf("Parse(%q) = %+v, want --help as a recipient", args, o)
		}
	}
	if _, err := Parse("sendmail", []string{"--helpme"}); err == nil {
		t.Error("Parse(--helpme) succeeded")
	}
	if _, err := Parse("sendmail", []string{"--help=x"}); err == nil {
		t.Error("Parse(--help=x) succeeded")
	}
}
