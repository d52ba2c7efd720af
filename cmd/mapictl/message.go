package main

import (
	"github.com/spf13/cobra"
)

func newMessageCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "message",
		Short: "Send messages through a transport section, and fetch incoming mail",
	}
	cmd.AddCommand(newMessageSendCmd(f), newMessageFetchCmd(f))
	return cmd
}

// messageSendOptions are the flags of message send (SPEC §7).
type messageSendOptions struct {
	Transport   string
	To, Cc, Bcc []string
	Subject     string
	Body        string
	BodyFile    string
	HTMLFile    string
	Attach      []string
	Headers     []string
	Raw         string
	Queue       bool
	DryRun      bool
	bodySet     bool
}

func newMessageSendCmd(f *factory) *cobra.Command {
	opts := &messageSendOptions{}
	cmd := &cobra.Command{
		Use:   "send --to ADDRESS... [flags]",
		Short: "Send a message (queued in the spool first, then delivered)",
		Long: `Compose a message and send it through a transport section: -s/--section, else
the default outbound one, else the first in transport order. The message is written,
encrypted, to the spool before any network step; a temporary failure leaves it
queued (75), a failure that retrying cannot cure moves it to spool/failed.
Address flags repeat and never split on commas: "Li, Dana" <d@x> is one address.

` + exitStatusHelp,
		Example: `  mapictl message send --to dana@example.com --subject hi --body 'hello'
  mapictl message send --to '"Li, Dana" <d@x.example>' --attach report.pdf --body-file notes.txt
  mapictl message send --raw message.eml --to ops@example.com --queue`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkSectionAlias(cmd); err != nil {
				return err
			}
			opts.bodySet = cmd.Flags().Changed("body")
			if opts.bodySet && opts.BodyFile != "" {
				return flagErr(cmd, errString("--body and --body-file cannot be used together"))
			}
			if opts.Raw != "" && (opts.bodySet || opts.BodyFile != "" || opts.HTMLFile != "" ||
				len(opts.Attach) > 0 || len(opts.Headers) > 0 || cmd.Flags().Changed("subject")) {
				return flagErr(cmd, errString("--raw sends a message as it is: no --subject, --body, --body-file, --html-file, --attach or --header"))
			}
			if opts.Raw == "" && len(opts.To)+len(opts.Cc)+len(opts.Bcc) == 0 {
				return flagErr(cmd, errString("at least one of --to, --cc or --bcc is required"))
			}
			if opts.Queue && opts.DryRun {
				return flagErr(cmd, errString("--queue and --dry-run cannot be used together"))
			}
			return runMessageSend(cmd.Context(), opts, f)
		},
	}
	fl := cmd.Flags()
	sectionFlag(fl, &opts.Transport, "transport section (default: the default outbound one)", true)
	stringsVarP(fl, &opts.To, "to", "", "recipient (repeatable; never split on commas)")
	stringsVarP(fl, &opts.Cc, "cc", "", "carbon-copy recipient (repeatable)")
	stringsVarP(fl, &opts.Bcc, "bcc", "", "blind recipient: envelope only (repeatable)")
	fl.StringVar(&opts.Subject, "subject", "", "subject")
	fl.StringVar(&opts.Body, "body", "", "text body")
	fl.StringVar(&opts.BodyFile, "body-file", "", "read the text body from a file (- for stdin)")
	fl.StringVar(&opts.HTMLFile, "html-file", "", "HTML alternative from a file")
	stringsVarP(fl, &opts.Attach, "attach", "", "attach a file (repeatable)")
	stringsVarP(fl, &opts.Headers, "header", "", `extra header "K: V" (repeatable)`)
	fl.StringVar(&opts.Raw, "raw", "", "send a prepared RFC 5322 message from a file (- for stdin)")
	fl.BoolVar(&opts.Queue, "queue", false, "only queue the message (deliver later with 'spool flush')")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the composed message and write nothing")
	fl.String(sessionFileFlag, "", "read the session token from this file")
	_ = cmd.RegisterFlagCompletionFunc("section", f.completeSections)
	return cmd
}

// errString is a plain error for flag problems.
type errString string

func (e errString) Error() string { return string(e) }
