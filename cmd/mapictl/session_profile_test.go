package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestProfileFlagWatched guards the wiring of issue 24 point 4: every
// command notes (in root's PersistentPreRunE) -p given as a flag, not
// $MAPICTL_PROFILE.
func TestProfileFlagWatched(t *testing.T) {
	t.Setenv("MAPICTL_PROFILE", "home")
	t.Setenv("MAPICTL_SESSION", "")
	t.Setenv("MAPICTL_STORE", t.TempDir())
	for _, c := range []struct {
		args string
		want bool
	}{
		{"-p home message send", true},
		{"message send --profile=home", true},
		{"-p work session show", true},
		{"message send", false},
		{"session show", false},
		{"-p home spool flush", true},
	} {
		var out, errb bytes.Buffer
		f := newFactory(strings.NewReader(""), &out, &errb)
		root := newRootCmd(f)
		// Each command fails (no --to; no current session) after it noted -p.
		root.SetArgs(strings.Fields(c.args))
		root.SetOut(&out)
		root.SetErr(&errb)
		if err := root.Execute(); err == nil {
			t.Errorf("%s: no error", c.args)
		}
		if f.profileFlagGiven != c.want {
			t.Errorf("%s: profileFlagGiven = %v, want %v", c.args, f.profileFlagGiven, c.want)
		}
	}
}
