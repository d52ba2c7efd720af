package textsafe

import "testing"

func TestQuoteControl(t *testing.T) {
	for in, want := range map[string]string{
		`plain \ "text"`:     `plain \ "text"`,
		"Grüße":              "Grüße",
		"a\x1b[2Jb":          `a\x1b[2Jb`,
		"tab\there \"q\" \\": `tab\there \"q\" \\`,
		"c1\u009bx":          `c1\u009bx`,
	} {
		if got := QuoteControl(in); got != want {
			t.Errorf("QuoteControl(%q) = %q, want %q", in, got, want)
		}
	}
}
