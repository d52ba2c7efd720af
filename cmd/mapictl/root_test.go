package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every top-level command is registered under the name it is built with,
// and the whole tree has no other (cobra's help and completion are added
// when it executes).
func TestTopLevelNames(t *testing.T) {
	f := newFactory(strings.NewReader(""), io.Discard, io.Discard)
	var registered, built []string
	for _, tl := range topLevels {
		registered = append(registered, tl.name)
		if got := tl.build(f).Name(); got != tl.name {
			t.Errorf("registered as %q, builds %q", tl.name, got)
		}
	}
	for _, c := range newRootCmd(f).Commands() {
		built = append(built, c.Name())
	}
	slices.Sort(registered)
	if !slices.Equal(registered, built) {
		t.Fatalf("registered %q, tree has %q", registered, built)
	}
}

// The tree built for one command line runs the command the whole tree
// would run, with the same remaining arguments and error, whatever flags
// come before the command; help, completion and anything unknown get the
// whole tree.
func TestRootCmdForFindsWhatTheWholeTreeFinds(t *testing.T) {
	cases := []struct {
		args  []string
		whole bool // the whole tree is built
	}{
		{[]string{"credential", "get", "smtp"}, false},
		{[]string{"-v", "credential", "get", "smtp"}, false},
		{[]string{"--no-input", "-o", "json", "profile", "list"}, false},
		{[]string{"--store", "/tmp/x", "-p", "credential", "section", "list"}, false},
		{[]string{"--store=/tmp/x", "-pwork", "message", "send", "--to", "a@x.example"}, false},
		{[]string{"-i", "id.txt", "--lock-timeout", "1s", "spool", "flush"}, false},
		{[]string{"version"}, false},
		{[]string{"session"}, false},
		{[]string{"credential", "--help"}, false},
		{[]string{"credential", "gett"}, false},
		{[]string{"sendmail", "-t"}, false},
		{nil, true},
		{[]string{"--help"}, true},
		{[]string{"help", "credential"}, true},
		{[]string{"completion", "bash"}, true},
		{[]string{"__complete", "credential", ""}, true},
		{[]string{"credentail", "get"}, true},
		{[]string{"--bogus", "credential", "get"}, true},
		{[]string{"--", "credential"}, true},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f := newFactory(strings.NewReader(""), io.Discard, io.Discard)
			whole, lazy := newRootCmd(f), newRootCmdFor(f, tc.args)
			for _, root := range []*cobra.Command{whole, lazy} {
				// as cobra's ExecuteC adds them before it looks
				root.InitDefaultHelpCmd()
				root.InitDefaultCompletionCmd(tc.args...)
			}
			if got := len(lazy.Commands()) == len(whole.Commands()); got != tc.whole {
				t.Errorf("whole tree built = %v, want %v (%d of %d commands)", got, tc.whole, len(lazy.Commands()), len(whole.Commands()))
			}
			wc, wargs, werr := whole.Find(tc.args)
			lc, largs, lerr := lazy.Find(tc.args)
			if wc.CommandPath() != lc.CommandPath() || !slices.Equal(wargs, largs) || (werr == nil) != (lerr == nil) {
				t.Fatalf("whole tree finds %q %q %v; built for the line: %q %q %v",
					wc.CommandPath(), wargs, werr, lc.CommandPath(), largs, lerr)
			}
		})
	}
}

// Help of a command is the same from the tree built for its line as from
// the whole tree.
func TestRootCmdForHelp(t *testing.T) {
	for _, args := range [][]string{{"credential", "--help"}, {"credential", "get", "--help"}, {"message", "send", "-h"}} {
		var out [2]bytes.Buffer
		for i, lazy := range []bool{false, true} {
			f := newFactory(strings.NewReader(""), &out[i], io.Discard)
			var root *cobra.Command
			if lazy {
				root = newRootCmdFor(f, args)
			} else {
				root = newRootCmd(f)
			}
			root = harden(f, root)
			markUsageErrors(root)
			root.SetArgs(args)
			root.SetOut(&out[i])
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
		}
		if out[0].String() != out[1].String() || out[0].Len() == 0 {
			t.Fatalf("%q: help differs:\n%s\n----\n%s", args, out[0].String(), out[1].String())
		}
	}
}
