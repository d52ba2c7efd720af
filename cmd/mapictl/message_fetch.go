package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/term"
)

// messageFetchOptions are the flags of message fetch (SPEC §8).
type messageFetchOptions struct {
	Sections      []string
	Limit         int
	DryRun        bool
	Resync        bool
	RetryRejected bool
}

// fetchJSON is message fetch's -o json value.
type fetchJSON struct {
	Sections []fetchSectionJSON `json:"sections"`
}

// fetchSectionJSON is one section's pass; mailbox is null for POP3.
type fetchSectionJSON struct {
	Section  string           `json:"section"`
	Protocol string           `json:"protocol"`
	Mailbox  *string          `json:"mailbox"`
	Fetched  int              `json:"fetched"`
	Skipped  int              `json:"skipped"`
	Deleted  int              `json:"deleted"`
	Bytes    int64            `json:"bytes"`
	Errors   []fetchErrorJSON `json:"errors"`
	// Pending are the IDs --dry-run would fetch.
	Pending []string `json:"pending,omitempty"`
	failed  bool     // the last of Errors is the section's own
}

// fetchErrorJSON is one failure of a section: the section's own (which
// stopped it) or a message's (an MDA's 75 or rejection).
type fetchErrorJSON struct {
	Stage   string `json:"stage"`
	Code    string `json:"code"`
	Exit    int    `json:"exit"`
	Message string `json:"message"`
}

func newMessageFetchCmd(f *factory) *cobra.Command {
	opts := &messageFetchOptions{}
	cmd := &cobra.Command{
		Use:   "fetch [-s SECTION]... [--limit N] [--dry-run] [--resync] [--retry-rejected]",
		Short: "Fetch new mail from the inbound side of transport sections (IMAP or POP3), exactly once",
		Long: `Poll each named section (else every transport section with an inbound side) once:
log on to its IMAP or POP3 server, deliver every message not delivered yet into its
Maildir (inbound.maildir, default <store>/inbox/<profile>/<section>) or to its MDA
(inbound.mda), delete on the server what was delivered when inbound.keep is false,
log off. Under a session its snapshot's sections and credentials are used, else the
profile's, prompting when allowed. Every section is tried; the exit status is the worst
section's. A changed UIDVALIDITY stops a section (65) until --resync, which delivers
only messages whose content was not delivered yet. A fetch of a server account and
mailbox that another fetch (or spool watch) is running, from any section or profile,
waits for it up to --lock-timeout before it logs on, then exits 75. See docs/inbound.md.

` + exitStatusHelp,
		Example: `  mapictl message fetch
  mapictl message fetch -s gmail --limit 100
  mapictl message fetch -s work --dry-run -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Limit < 0 {
				return flagErr(cmd, errString("--limit must not be negative"))
			}
			return runMessageFetch(cmd.Context(), opts, f)
		},
	}
	fl := cmd.Flags()
	stringsVarP(fl, &opts.Sections, "section", "s", "fetch this transport section only (repeatable)")
	fl.IntVar(&opts.Limit, "limit", 0, "fetch at most N messages per section (0: all)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list what would be fetched; write nothing")
	fl.BoolVar(&opts.Resync, "resync", false, "accept a changed UIDVALIDITY: deliver only messages not delivered yet")
	fl.BoolVar(&opts.RetryRejected, "retry-rejected", false, "fetch again messages an MDA rejected")
	fl.String(sessionFileFlag, "", "read the session token from this file")
	_ = cmd.RegisterFlagCompletionFunc("section", f.completeSections)
	return cmd
}

// runMessageFetch fetches each section in turn (account.Fetch) and
// reports each; it ends with the worst section's error (account.Worst).
func runMessageFetch(ctx context.Context, opts *messageFetchOptions, f *factory) error {
	armInterrupt(ctx) // a fetch stops cleanly on a signal (interrupt.go)
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	r := f.accounts(snap)
	accts, err := r.Receiving(opts.Sections)
	if err != nil {
		return err
	}
	fo := account.FetchOptions{Limit: opts.Limit, DryRun: opts.DryRun, Resync: opts.Resync,
		RetryRejected: opts.RetryRejected, LockTimeout: f.Store().LockTimeout, MDAOutput: f.IO.Err}
	if f.verbose {
		fo.Log = f.transcript()
	}
	out := fetchJSON{Sections: []fetchSectionJSON{}}
	var errs []error
	for _, a := range accts {
		row := fetchSectionJSON{Section: a.Name, Protocol: a.Inbound.Protocol, Errors: []fetchErrorJSON{}}
		if a.Inbound.Protocol == "imap" {
			mb := a.Inbound.Mailbox
			row.Mailbox = &mb
		}
		creds, err := r.InboundCredentials(a)
		if err == nil {
			o := fo
			if !opts.DryRun {
				o.Progress = term.Progress(f.IO.Err)
			}
			res, ferr := account.Fetch(ctx, f.StoreDir(), a, creds, o)
			row.Fetched, row.Skipped, row.Deleted, row.Bytes = res.Fetched, res.Skipped, res.Deleted, res.Bytes
			row.Pending = res.Pending
			for _, me := range res.Errors {
				row.Errors = append(row.Errors, fetchError(account.InboundError(a.Name, me)))
			}
			err = ferr
		}
		if err != nil {
			if mapi.IsCode(err, mapi.UserCancel) {
				return err
			}
			row.Errors = append(row.Errors, fetchError(err))
			row.failed = true
			errs = append(errs, err)
		}
		if !f.jsonOutput() {
			f.printFetchRow(row, opts.DryRun, len(accts) > 1)
		}
		out.Sections = append(out.Sections, row)
		if ctx.Err() != nil {
			break
		}
	}
	if f.jsonOutput() {
		if err := f.printJSON(out); err != nil {
			return err
		}
	}
	return account.Worst(errs)
}

// fetchError is err as -o json lists it.
func fetchError(err error) fetchErrorJSON {
	e := mapi.AsError(err)
	return fetchErrorJSON{Stage: errStage(e), Code: e.Code.Name, Exit: e.ExitStatus(), Message: e.Msg}
}

// printFetchRow prints one section's summary line and, as warnings, its
// messages' failures; a section's own error is warned about only when
// another section's may become the command's (warnOwn).
func (f *factory) printFetchRow(row fetchSectionJSON, dry, warnOwn bool) {
	where := row.Section
	if row.Mailbox != nil {
		where += " (" + *row.Mailbox + ")"
	}
	switch {
	case row.failed && row.Fetched+row.Deleted+len(row.Pending) == 0:
		// nothing done: the error says it all
	case dry:
		f.printf("%s: %s to fetch\n", where, plural(len(row.Pending), "message"))
	default:
		line := fmt.Sprintf("%s: fetched %s, %d bytes", where, plural(row.Fetched, "message"), row.Bytes)
		if row.Skipped > 0 {
			line += fmt.Sprintf(", %d skipped (too large)", row.Skipped)
		}
		if row.Deleted > 0 {
			line += fmt.Sprintf(", %d deleted on the server", row.Deleted)
		}
		f.println(line)
	}
	for i, e := range row.Errors {
		if i == len(row.Errors)-1 && row.failed && !warnOwn {
			break
		}
		f.warnf("%s", e.Message)
	}
}
