package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/spool"
)

type spoolFlushOptions struct {
	Due     bool
	Section string
}

// flushJSON is spool flush's -o json value.
type flushJSON struct {
	Sent     int            `json:"sent"`
	Queued   int            `json:"queued"`
	Failed   int            `json:"failed"`
	Rejected int            `json:"rejected"` // not queued by this store: set aside, never sent
	Messages []flushMessage `json:"messages"`
}

type flushMessage struct {
	ID    string  `json:"id"`
	State string  `json:"state"`
	Error *string `json:"error"`
}

func newSpoolFlushCmd(f *factory) *cobra.Command {
	opts := &spoolFlushOptions{}
	cmd := &cobra.Command{
		Use:   "flush [--due] [-s SECTION]",
		Short: "Try to deliver queued messages now (one connection per transport section)",
		Long: `Deliver queued messages, reusing one connection per transport section. --due
(for cron) only tries those whose backoff has run out. Each message's transport
comes from the profile and section it was queued for (or the current session's
snapshot for messages queued under it). Prints "flushed: N sent, N queued, N failed";
a progress bar is shown on stderr when it is a terminal.`,
		Example: "  mapictl spool flush\n  */5 * * * * mapictl spool flush --due",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkSectionAlias(cmd); err != nil {
				return err
			}
			return spoolFlushRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Due, "due", false, "only messages whose retry time has come")
	sectionFlag(cmd.Flags(), &opts.Section, "only messages of this transport section", true)
	_ = cmd.RegisterFlagCompletionFunc("section", f.completeSections)
	return cmd
}

func spoolFlushRun(ctx context.Context, f *factory, opts *spoolFlushOptions) error {
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	fo := spool.FlushOptions{Due: opts.Due, Open: f.outboxKeys().Opener(snap), Resolve: f.profileResolver(snap)}
	if opts.Section != "" {
		if fo.SectionUID, err = f.sectionUID(opts.Section); err != nil {
			return err
		}
	}
	if fo.Seal, err = f.outboxKeys().Recipients(snap); err != nil {
		return err
	}
	if stderrTTY(f) {
		fo.Progress = func(done, total int) { progressBar(f, done, total) }
	}
	// A signal (ctx) stops the flush cleanly: what was tried is reported as
	// usual, then the error naming how many stay queued (75).
	outs, err := sp.Flush(ctx, fo)
	stopped := spool.Interrupted(err)
	if err != nil && !stopped {
		return err
	}
	if !stopped {
		f.outboxKeys().ResealOrphans(sp, fo.Open)
	} else if fo.Progress != nil {
		fmt.Fprintln(f.IO.Err) // end the progress bar the signal cut short
	}
	sum := flushJSON{Messages: []flushMessage{}}
	for _, oc := range outs {
		if oc.Skipped {
			continue
		}
		m := flushMessage{ID: oc.ID, State: oc.State}
		switch oc.State {
		case "sent", "partial":
			sum.Sent++
		case spool.StateFailed:
			sum.Failed++
		case spool.StateRejected:
			sum.Rejected++
		default:
			sum.Queued++
		}
		if oc.Err != nil {
			msg := transportError(oc.Err).Msg
			m.Error = &msg
			if !f.jsonOutput() {
				if oc.State == spool.StateRejected {
					f.warnf("%s", msg)
					for _, h := range transportError(oc.Err).Hints {
						f.warnf("  %s", h)
					}
				} else {
					f.warnf("message %s %s: %s", oc.ID, oc.State, msg)
				}
			}
		}
		sum.Messages = append(sum.Messages, m)
	}
	switch {
	case f.jsonOutput():
		if perr := f.printJSON(sum); perr != nil {
			return perr
		}
	case sum.Rejected > 0:
		f.printf("flushed: %d sent, %d queued, %d failed, %d set aside (not queued by this store)\n", sum.Sent, sum.Queued, sum.Failed, sum.Rejected)
	default:
		f.printf("flushed: %d sent, %d queued, %d failed\n", sum.Sent, sum.Queued, sum.Failed)
	}
	return err // nil, or interrupted
}

// sectionUID resolves a transport section name for -s/--section
// (account.Resolver.SectionUID).
func (f *factory) sectionUID(name string) (string, error) {
	snap, err := f.currentSession()
	if err != nil {
		return "", err
	}
	return f.accounts(snap).SectionUID(name)
}

func stderrTTY(f *factory) bool {
	fd, ok := f.IO.Err.(*os.File)
	return ok && term.IsTerminal(int(fd.Fd()))
}

// progressBar redraws "[=====     ] done/total" on stderr.
func progressBar(f *factory, done, total int) {
	const width = 30
	n := width
	if total > 0 {
		n = done * width / total
	}
	fmt.Fprintf(f.IO.Err, "\r[%s%s] %d/%d", strings.Repeat("=", n), strings.Repeat(" ", width-n), done, total)
	if done >= total {
		fmt.Fprintln(f.IO.Err)
	}
}

func newSpoolRetryCmd(f *factory) *cobra.Command {
	return f.spoolIDsCmd("retry", "Make messages due now: failed ones back to the outbox, queued ones at once",
		`Put failed messages back in the outbox (attempts reset) and make queued ones
due now, so that the next 'spool flush' (or 'spool flush --due') tries them.
--all takes every failed message, or every queued one with --state queued.
Every ID is checked before any file is touched. An ID that is not in the
spool does not stop the others: they are requeued, and the command ends with
66 (MAPI_E_NOT_FOUND) naming the missing ones.`,
		"  mapictl spool retry 00mwzwgtwt2x8n7yp151zy73k7 && mapictl spool flush\n  mapictl spool retry --all\n  mapictl spool retry --all --state queued",
		func(sp *spool.Spool, id string) error { _, err := sp.Requeue(id); return err }, "requeued", spool.StateQueued)
}

func newSpoolDropCmd(f *factory) *cobra.Command {
	return f.spoolIDsCmd("drop", "Delete queued or failed messages for good",
		`Delete messages from the spool for good (queued, failed, or set aside in
spool/rejected). --all takes every failed message, or every queued one with
--state queued. Every ID is checked before any file is touched. An ID that is
not in the spool does not stop the others: they are dropped, and the command
ends with 66 (MAPI_E_NOT_FOUND) naming the missing ones.`,
		"  mapictl spool drop 00mwzwgtwt2x8n7yp151zy73k7\n  mapictl spool drop --all\n  mapictl spool drop --all --state queued",
		func(sp *spool.Spool, id string) error { return sp.Drop(id) }, "dropped", "dropped")
}

// spoolIDsCmd builds a command that acts on message IDs (ID... or --all
// [--state failed|queued]). Every ID is checked before the spool is opened,
// so a malformed one touches no file. Each message is acted on in turn; the
// failures are reported together at the end (spoolBatchError). With one ID
// -o json prints one object, with several or --all an array of them.
func (f *factory) spoolIDsCmd(verbCmd, short, long, example string, act func(*spool.Spool, string) error, verb, state string) *cobra.Command {
	var all bool
	var from string
	cmd := &cobra.Command{
		Use:     verbCmd + " ID...|--all [--state failed|queued]",
		Short:   short,
		Long:    long,
		Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return mapi.Errorf(mapi.InvalidParameter, "give message IDs or --all, not both")
			case !all && len(args) == 0:
				return mapi.Errorf(mapi.InvalidParameter, "no message ID given").
					WithHint("pass one or more IDs (see 'mapictl spool list'), or --all")
			case !all && cmd.Flags().Changed("state"):
				return mapi.Errorf(mapi.InvalidParameter, "--state goes with --all")
			case from != spool.StateFailed && from != spool.StateQueued:
				return mapi.Errorf(mapi.InvalidParameter, "--state must be failed or queued, not %q", from)
			}
			for _, id := range args {
				if err := mapi.CheckID("message", id); err != nil {
					return err
				}
			}
			sp, err := f.openSpool()
			if err != nil {
				return err
			}
			ids := args
			if all {
				if ids, err = sp.IDsIn(from); err != nil {
					return err
				}
			}
			done := []map[string]string{}
			var fails []spoolIDErr
			for _, id := range ids {
				if err := act(sp, id); err != nil {
					fails = append(fails, spoolIDErr{id, err})
					continue
				}
				done = append(done, map[string]string{"id": id, "state": state})
				if !f.jsonOutput() {
					f.println(verb + ": " + id)
				}
			}
			if f.jsonOutput() {
				var err error
				switch {
				case all || len(args) > 1:
					err = f.printJSON(done)
				case len(done) == 1:
					err = f.printJSON(done[0])
				}
				if err != nil {
					return err
				}
			}
			return f.spoolBatchError(verbCmd, len(ids), fails)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "every message in the state --state names")
	cmd.Flags().StringVar(&from, "state", spool.StateFailed, "with --all: failed or queued")
	return cmd
}

type spoolIDErr struct {
	id  string
	err error
}

// spoolBatchError is the error a spool retry or drop of n messages ends
// with: nil when none failed; the error itself when one did (so one ID
// behaves as it always has); else one error naming every ID that failed, with
// the code of the first failure that is not "not found" (66 when all of them
// are), each failure also printed as a warning.
func (f *factory) spoolBatchError(verb string, n int, fails []spoolIDErr) error {
	switch len(fails) {
	case 0:
		return nil
	case 1:
		return fails[0].err
	}
	var missing, other []string
	var first *mapi.Error
	for _, fe := range fails {
		e := mapi.AsError(fe.err)
		if e.Code == mapi.NotFound {
			missing = append(missing, fe.id)
			continue
		}
		other = append(other, fe.id)
		if first == nil {
			first = e
		}
		if !f.jsonOutput() {
			f.warnf("%s", e.Msg)
		}
	}
	msg := fmt.Sprintf("%d of %d messages not %s", len(fails), n, map[string]string{"retry": "requeued", "drop": "dropped"}[verb])
	if len(missing) > 0 {
		msg += "; not found: " + strings.Join(missing, ", ")
	}
	if len(other) > 0 {
		msg += "; failed: " + strings.Join(other, ", ")
	}
	if first == nil {
		return mapi.Errorf(mapi.NotFound, "%s", msg).WithHint("'mapictl spool list' shows the messages in the spool")
	}
	return &mapi.Error{Code: first.Code, Exit: first.Exit, Msg: msg, Hints: first.Hints, Err: first}
}

func (f *factory) printState(id, verb, state string) error {
	if f.jsonOutput() {
		return f.printJSON(map[string]string{"id": id, "state": state})
	}
	f.println(verb + ": " + id)
	return nil
}
