package sendmail

import (
	"errors"
	"strings"
	"testing"
)

// controlValues are values holding CR, LF or NUL, alone or together, in
// every position (issue 24 point 10).
var controlValues = []string{"\r", "\n", "\x00", "\r\n", "\n\r", "a\rb", "a\nb", "a\x00b", "a\r\nb",
	"a\r", "\rb", "a\n", "\nb", "a\x00", "\x00b", "a\r\nBcc: e@x", "a\x1bb", "a\x7fb"}

// TestSenderAndNameRefuseControls: -f/-r (the envelope sender) and -F (the
// From display name) refuse CR, LF and NUL, alone or together, attached or
// as the next argument: a usage error (64), never a value kept.
func TestSenderAndNameRefuseControls(t *testing.T) {
	for _, v := range controlValues {
		for _, opt := range []string{"-f", "-r", "-F"} {
			val := v
			if opt != "-F" {
				val = strings.ReplaceAll(v, "a", "me@example.com")
			}
			for _, args := range [][]string{{opt, val, "x@example.com"}, {opt + val, "x@example.com"}} {
				o, err := Parse("sendmail", args)
				var ue *UsageError
				if !errors.As(err, &ue) {
					t.Errorf("Parse(%q) = %+v, %v; want a *UsageError", args, o, err)
					continue
				}
				if !strings.Contains(ue.Msg, "control character") {
					t.Errorf("Parse(%q): %q does not say why", args, ue.Msg)
				}
			}
		}
	}
	// a tab or spaces in a name are fine; spaces around a sender are trimmed
	o, err := Parse("sendmail", []string{"-F", "Cron\tDaemon", "-f", " me@example.com ", "x@example.com"})
	if err != nil || o.FullName != "Cron\tDaemon" || o.Sender != "me@example.com" {
		t.Errorf("Parse = %+v, %v", o, err)
	}
}

// FuzzSenderAndName: whatever -f and -F accept holds no CR, LF or NUL.
func FuzzSenderAndName(f *testing.F) {
	for _, s := range append([]string{"me@example.com", "<me@example.com>", "<>", "Cron Daemon", " x "}, controlValues...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, opt := range []string{"-f", "-F"} {
			o, err := Parse("sendmail", []string{opt, v, "x@example.com"})
			if err != nil {
				continue
			}
			if strings.ContainsAny(o.Sender+o.FullName, "\r\n\x00") {
				t.Fatalf("Parse(%s %q) kept %q / %q", opt, v, o.Sender, o.FullName)
			}
		}
	})
}
