package textsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := map[string]string{
		"":                       "",
		"plain text, ünïcode ✓":  "plain text, ünïcode ✓",
		`back\slash`:             `back\slash`,
		"550 \x1b[2Jgone":        `550 \x1b[2Jgone`,
		"bare\rCR":               `bare\rCR`,
		"tab\tnl\nnul\x00":       `tab\tnl\nnul\x00`,
		"del\x7f":                `del\x7f`,
		"c1 csi \u009b2J":        `c1 csi \u009b2J`,
		"nel \u0085":             `nel \u0085`,
		"raw byte \x9b2J":        `raw byte \x9b2J`,
		"title \x1b]0;pwned\x07": `title \x1b]0;pwned\x07`,
	}
	for in, want := range tests {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if Safe(in) != (in == want) {
			t.Errorf("Safe(%q) = %v", in, Safe(in))
		}
	}
}

// FuzzEscape: the output is valid UTF-8 without a control character, and
// text without one is returned unchanged.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\x1b[2J", "\r", "\xc2\x9b", "\x9b", "ok ✓", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if Unsafe(r) {
				t.Fatalf("Escape(%q) = %q holds %U", s, out, r)
			}
		}
		if Safe(s) && out != s {
			t.Fatalf("safe %q changed to %q", s, out)
		}
		if !Safe(out) || Escape(out) != out {
			t.Fatalf("Escape(%q) = %q is not a fixed point", s, out)
		}
		if strings.ContainsAny(out, "\x1b\r\x9b") {
			t.Fatalf("Escape(%q) = %q holds a raw ESC, CR or CSI byte", s, out)
		}
	})
}

func TestJSON(t *testing.T) {
	in, _ := json.Marshal(map[string]string{"m": "a\x1b[2J\r \x7f \u009b2J ✓"})
	got := JSON(in)
	if want := `{"m":"a\u001b[2J\r \u007f \u009b2J ✓"}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	var v map[string]string
	if err := json.Unmarshal(got, &v); err != nil || v["m"] != "a\x1b[2J\r \x7f \u009b2J ✓" {
		t.Fatalf("round trip %q %v", v["m"], err)
	}
}
