package sendmail

import (
	"strings"
	"testing"
)

func TestReadMessage(t *testing.T) {
	tests := []struct {
		name, in   string
		ignoreDots bool
		want       string
	}{
		{"lone dot ends", "Subject: x\n\nline\n.\nafter\n", false, "Subject: x\n\nline\n"},
		{"lone dot CRLF ends", "Subject: x\r\n\r\nline\r\n.\r\nafter\r\n", false, "Subject: x\r\n\r\nline\r\n"},
		{"final dot without newline", "Subject: x\n\nline\n.", false, "Subject: x\n\nline\n"},
		{"-i keeps the dot", "Subject: x\n\nline\n.\nafter\n", true, "Subject: x\n\nline\n.\nafter\n"},
		{"dots inside lines stay", "Subject: x\n\n..\n. \n.x\n", false, "Subject: x\n\n..\n. \n.x\n"},
		{"no final newline", "Subject: x\n\nbody", false, "Subject: x\n\nbody"},
		{"empty", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadMessage(strings.NewReader(tt.in), tt.ignoreDots)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("ReadMessage(%q, %v) = %q, want %q", tt.in, tt.ignoreDots, got, tt.want)
			}
		})
	}
}

// FuzzParse: Parse never panics, and what it accepts parses again to the
// same options from its own recipients and flags (idempotent on recipients).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-i a@b", "-oem -oi -f a@b -- c@d", "-FCronDaemon -i -B8BITMIME -oem root", "-t", "-bp", "-q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := Parse("sendmail", strings.Fields(s))
		if err != nil {
			return
		}
		if o.Mode == Deliver && len(o.Recipients) == 0 && !o.ExtractRecipients {
			t.Fatalf("Parse(%q) accepted a message with no recipient", s)
		}
		again, err := Parse("sendmail", append([]string{"--"}, o.Recipients...))
		if len(o.Recipients) > 0 && (err != nil || len(again.Recipients) != len(o.Recipients)) {
			t.Fatalf("recipients of %q do not parse back: %v", s, err)
		}
	})
}
