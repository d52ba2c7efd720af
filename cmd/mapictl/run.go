package main

import (
	"errors"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
)

// run executes mapictl with args (args[0] is the program name) and returns
// the process exit status. Every error is printed here, once.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	disableCoreDumps()
	f := newFactory(stdin, stdout, stderr)
	if base := filepath.Base(args[0]); base == "sendmail" || base == "mailq" {
		return f.exit(runSendmailArgs(f, base, args[1:]))
	}
	root := harden(f, newRootCmd(f))
	root.SetArgs(args[1:])
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	return f.exit(err)
}

// usageError marks cobra's own flag and argument errors.
func usageError(err error) error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return err
	}
	return &mapi.Error{Code: mapi.InvalidParameter, Msg: err.Error(), Err: err,
		Hints: []string{"run 'mapictl --help' for usage"}}
}

func flagErr(cmd *cobra.Command, err error) error {
	return &mapi.Error{Code: mapi.InvalidParameter, Msg: err.Error(), Err: err,
		Hints: []string{"run '" + cmd.CommandPath() + " --help' for usage"}}
}
