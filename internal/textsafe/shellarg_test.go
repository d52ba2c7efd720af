package textsafe

import (
	"os/exec"
	"testing"
)

// What ShellArg returns, sh reads back as the one word it was made from.
func TestShellArg(t *testing.T) {
	cases := map[string]string{
		"team":          "team",
		"smtp-ci":       "smtp-ci",
		"a.b@c:d,e/f_g": "a.b@c:d,e/f_g",
		"":              `""`,
		"Corp Mail":     `"Corp Mail"`,
		"Büro Müller":   `"Büro Müller"`,
		"it's":          `"it's"`,
		"$HOME":         `'$HOME'`,
		"a;rm -rf x":    `"a;rm -rf x"`,
		"say \"hi\"":    `'say "hi"'`,
		"it's $5":       `'it'\''s $5'`,
		"a\\b!":         `'a\b!'`,
		"-n":            "-n",
	}
	for in, want := range cases {
		if got := ShellArg(in); got != want {
			t.Errorf("ShellArg(%q) = %q, want %q", in, got, want)
		}
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for in := range cases {
		out, err := exec.Command(sh, "-c", `printf %s `+ShellArg(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh read %q back as %q (%v)", ShellArg(in), out, err)
		}
	}
}
