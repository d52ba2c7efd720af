package main

// The sendmail front end (issue 8): `mapictl sendmail ...`, or the binary
// invoked as sendmail or mailq. The whole command line is sendmail's
// (internal/sendmail); settings come only from MAPICTL_* and config.yaml,
// and nothing ever prompts.

import (
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/sendmail"
)

func newSendmailCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "sendmail [options] [--] [RECIPIENT...]",
		Short: "Act as sendmail: read one message from stdin and send it (also -bp, -q)",
		Long: `Read one RFC 5322 message from standard input and send it through the spool,
as sendmail, Postfix and msmtp do. The whole command line follows sendmail's
rules, not mapictl's flags: -t, -i/-oi, -f/-r ADDR, -F NAME, --read-envelope-from,
-N, -R, -V, -B, -bm, -bp, -q, --section NAME, --help; -o... options are ignored. It never
prompts. Exit 0 once delivered or queued for a retry (a warning says so).
See docs/sendmail.md.`,
		Example:               "  git send-email --sendmail-cmd='mapictl sendmail' 0001-fix.patch\n  mapictl sendmail -t < message.eml",
		DisableFlagParsing:    true,
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return sendmailMain(f, "sendmail", args)
		},
	}
}

// sendmailMain parses the command line of the sendmail front end, run as
// program name with args (the command line after the program name; run.go
// dispatches to it), and runs the mode it asks for.
func sendmailMain(f *factory, name string, args []string) error {
	o, err := sendmail.Parse(name, args)
	if err != nil {
		return sendmail.MAPIError(name, err)
	}
	if o.Mode == sendmail.Help {
		return sendmailHelp(f)
	}
	// The output format is held to root's rule here too (-o is not
	// sendmail's: MAPICTL_OUTPUT and config.yaml only).
	if err := f.checkOutput(); err != nil {
		return err
	}
	if err := f.loadConfig(); err != nil {
		return err
	}
	if err := f.checkOutput(); err != nil {
		return err
	}
	// Callers (git, mutt, cron) may hold the terminal: never prompt.
	f.v.Set("no-input", true)
	f.verbose = f.verbose || o.Verbose
	switch o.Mode {
	case sendmail.ListQueue:
		return runSpoolList(f.context(), f)
	case sendmail.FlushQueue:
		return runSpoolFlush(f.context(), &spoolFlushOptions{}, f)
	}
	return runSendmail(f.context(), o, f)
}

// sendmailHelp prints the help of `mapictl sendmail` (--help, exit 0), also
// when the binary runs as sendmail or mailq.
func sendmailHelp(f *factory) error {
	root := newBareRootCmd(f)
	c := newSendmailCmd(f)
	root.AddCommand(c)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.Err)
	return c.Help()
}
