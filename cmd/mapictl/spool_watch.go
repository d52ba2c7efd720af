package main

import (
	"context"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/inbound"
	"github.com/mapictl/mapictl/internal/mapi"
)

// spoolWatchOptions are the flags of spool watch (SPEC §8).
type spoolWatchOptions struct {
	Sections []string
	Interval time.Duration
}

func newSpoolWatchCmd(f *factory) *cobra.Command {
	opts := &spoolWatchOptions{}
	cmd := &cobra.Command{
		Use:   "watch [-s SECTION]... [--interval 5m]",
		Short: "Keep fetching new mail (IMAP IDLE, else polling) until stopped",
		Long: `Keep the inbound side of each named section (else of every transport section with
one) fetched: as 'message fetch' does, then, where the IMAP server offers IDLE, wait for
new mail and fetch it at once, else log off and poll every --interval (POP3 always
polls). A dropped connection is followed by a new logon with backoff. The lock of each
server account (host, port, user, mailbox) and each section's journal lock are held
while it runs, so a 'message fetch' of the same mailbox, from any section or profile,
waits, then exits 75; watched sections on one mailbox take turns.
SIGTERM or SIGINT finishes the message in hand, logs off and exits 0. Under a session
it exits 77 when the session expires. contrib/mapictl-watch.service runs it as a
systemd user unit.

` + exitStatusHelp,
		Example: `  mapictl spool watch
  mapictl spool watch -s gmail --interval 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Interval <= 0 {
				return flagErr(cmd, errString("--interval must be positive"))
			}
			return runSpoolWatch(cmd.Context(), opts, f)
		},
	}
	fl := cmd.Flags()
	stringsVarP(fl, &opts.Sections, "section", "s", "watch this transport section only (repeatable)")
	fl.DurationVar(&opts.Interval, "interval", 5*time.Minute, "time between polls where IMAP IDLE is not offered")
	_ = cmd.RegisterFlagCompletionFunc("section", f.completeSections)
	return cmd
}

// runSpoolWatch resolves the sections and their credentials, then runs
// account.Watch until a signal (exit 0), a failure that retrying will not
// cure, or the session's expiry (77). Each pass that fetched something,
// and each failure it will retry, is reported on stdout (text output only).
func runSpoolWatch(ctx context.Context, opts *spoolWatchOptions, f *factory) error {
	armInterrupt(ctx) // SIGTERM/SIGINT: finish the message in hand, exit 0
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	r := f.accounts(snap)
	accts, err := r.Receiving(opts.Sections)
	if err != nil {
		return err
	}
	creds := make([]account.Credentials, len(accts))
	for i, a := range accts {
		if creds[i], err = r.InboundCredentials(a); err != nil {
			return err
		}
	}
	wo := account.WatchOptions{Interval: opts.Interval, LockTimeout: f.Store().LockTimeout, MDAOutput: f.IO.Err}
	if snap != nil {
		wo.Until = snap.Expires
	}
	if f.verbose {
		wo.Log = f.transcript()
	}
	var mu sync.Mutex // Report runs on one goroutine per section
	wo.Report = func(section string, res inbound.Result, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			f.warnf("%s (retrying)", mapi.AsError(err).Msg)
			return
		}
		for _, e := range res.Errors {
			f.warnf("%s", account.InboundError(section, e).(*mapi.Error).Msg)
		}
		if (res.Fetched > 0 || res.Deleted > 0) && !f.jsonOutput() {
			f.printf("%s: fetched %s, %d bytes, %d deleted on the server\n", section, plural(res.Fetched, "message"), res.Bytes, res.Deleted)
		}
	}
	return account.Watch(ctx, f.StoreDir(), accts, creds, wo)
}
