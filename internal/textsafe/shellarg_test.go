package textsafe

import (
	"os/exec"
	"testing"
)

func TestShellArg(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"work", "work"},
		{"a-Z_0.9@x%+=:,/", "a-Z_0.9@x%+=:,/"},
		{"", "''"},
		{"my work", "'my work'"},
		{"it's", `'it'\''s'`},
		{"$HOME", "'$HOME'"},
		{"a;b", "'a;b'"},
		{"Jörg", "'Jörg'"},
		{"~x", "'~x'"},
		{"a\nb", "'a\nb'"},
	} {
		if got := ShellArg(tc.in); got != tc.want {
			t.Errorf("ShellArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A POSIX shell reads every ShellArg back as the one argument it came from.
func TestShellArgSh(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, s := range []string{"work", "", "my work", "it's", "''", `a'\''b`, "$HOME `x` $(y) \"z\"", "*", "a\tb\nc", "!x", "#c", "-n"} {
		out, err := exec.Command(sh, "-c", `printf '%s' `+ShellArg(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh read ShellArg(%q) = %s as %q (%v)", s, ShellArg(s), out, err)
		}
	}
}
