package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/term"
)

type spoolFlushOptions struct {
	Due     bool
	Section string
}

// flushJSON is spool flush's -o json value.
type flushJSON struct {
	Sent     int `json:"sent"`
	Queued   int `json:"queued"`
	Failed   int `json:"failed"`
	Rejected int `json:"rejected"` // not queued by this store: set aside, never sent
	// Partial counts the messages delivered to some recipients and
	// refused by others (counted in sent, or in queued when the refusals
	// were for now).
	Partial  int            `json:"partial"`
	Messages []flushMessage `json:"messages"`
}

type flushMessage struct {
	ID    string  `json:"id"`
	State string  `json:"state"`
	Error *string `json:"error"`
	// Recipients refused by a delivery that reached others (smtp_code
	// 4xx: queued; 5xx: failed with a report), and the message in
	// spool/failed that holds the latter when the former stay queued.
	Rejected []rejectionJSON `json:"rejected,omitempty"`
	FailedID string          `json:"failed_id,omitempty"`
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
a progress bar is shown on stderr when it is a terminal. Each message that stays
queued or fails is reported on stderr. A message delivered to some recipients and
refused by others is too, each refused recipient with the server's reply: those
refused for now ("deferred", 4xx) stay queued alone, those refused for good
("rejected", 5xx) are failed with a non-delivery report; the summary ends with
"; N delivered to some recipients only".`,
		Example: "  mapictl spool flush\n  */5 * * * * mapictl spool flush --due",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkSectionAlias(cmd); err != nil {
				return err
			}
			return runSpoolFlush(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.Due, "due", false, "only messages whose retry time has come")
	sectionFlag(cmd.Flags(), &opts.Section, "only messages of this transport section", true)
	_ = cmd.RegisterFlagCompletionFunc("section", f.completeSections)
	return cmd
}

// runSpoolFlush delivers the queued messages opts selects and reports
// each (spool.Tally); a signal (ctx) ends it with the error naming how many
// stay queued (75).
func runSpoolFlush(ctx context.Context, opts *spoolFlushOptions, f *factory) error {
	armInterrupt(ctx) // a delivery or logon stops cleanly on a signal (interrupt.go)
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	fo := spool.FlushOptions{Due: opts.Due, Resolve: f.accounts(snap).Spool()}
	if opts.Section != "" {
		if fo.SectionUID, err = f.accounts(snap).SectionUID(opts.Section); err != nil {
			return err
		}
	}
	fo.Progress = term.Progress(f.IO.Err) // nil unless stderr is a terminal
	// Expired sessions first: their messages are re-sealed after the flush
	// (delivery.Keys.Flush), their token files now (SPEC §8).
	_, _ = f.sweepSessions(ctx)
	// A signal (ctx) stops the flush cleanly: what was tried is reported as
	// usual, then the error naming how many stay queued (75).
	outs, err := f.outboxKeys().Flush(ctx, sp, snap, fo)
	if stopped := spool.Interrupted(err); err != nil && !stopped {
		return err
	} else if stopped && fo.Progress != nil {
		fmt.Fprintln(f.IO.Err) // end the progress bar the signal cut short
	}
	var t spool.Tally
	sum := flushJSON{Messages: []flushMessage{}}
	for _, oc := range outs {
		if !t.Add(oc) {
			continue
		}
		m := flushMessage{ID: oc.ID, State: oc.State, FailedID: oc.FailedID}
		if oc.Result != nil && len(oc.Result.Rejected) > 0 {
			m.Rejected = rejectionsJSON(oc.Result.Rejected)
			sum.Partial++
			if !f.jsonOutput() {
				f.reportPartial(oc)
			}
		}
		if oc.Err != nil {
			e := delivery.TransportError(oc.Err)
			m.Error = &e.Msg
			if !f.jsonOutput() {
				if oc.State == spool.StateRejected {
					f.warnf("%s", e.Msg)
					for _, h := range e.Hints {
						f.warnf("  %s", h)
					}
				} else {
					f.warnf("message %s %s: %s", oc.ID, oc.State, e.Msg)
				}
			}
		}
		sum.Messages = append(sum.Messages, m)
	}
	sum.Sent, sum.Queued, sum.Failed, sum.Rejected = t.Sent, t.Queued, t.Failed, t.Rejected
	switch {
	case f.jsonOutput():
		if perr := f.printJSON(sum); perr != nil {
			return perr
		}
	default:
		line := fmt.Sprintf("flushed: %d sent, %d queued, %d failed", sum.Sent, sum.Queued, sum.Failed)
		if sum.Rejected > 0 {
			line += fmt.Sprintf(", %d set aside (not queued by this store)", sum.Rejected)
		}
		if sum.Partial > 0 {
			line += fmt.Sprintf("; %d delivered to some recipients only", sum.Partial)
		}
		f.println(line)
	}
	return err // nil, or interrupted
}

// reportPartial warns, on stderr, of a message delivered to some of its
// recipients: how many, each one refused (deferred: queued for a retry;
// rejected: failed with a report) and where those refused for good are.
func (f *factory) reportPartial(oc spool.Outcome) {
	res := oc.Result
	f.warnf("message %s delivered to %d of %d recipients", oc.ID, len(res.Accepted), len(res.Accepted)+len(res.Rejected))
	for _, l := range rejectionLines(res.Rejected) {
		f.warnf("  %s", l)
	}
	if oc.FailedID != "" {
		f.warnf("  the recipients rejected for good are in spool/failed as %s: 'mapictl spool show %s'", oc.FailedID, oc.FailedID)
	}
}

func newSpoolRetryCmd(f *factory) *cobra.Command {
	return newSpoolIDsCmd(f, "retry", "Make messages due now: failed ones back to the outbox, queued ones at once",
		`Put failed messages back in the outbox (attempts reset) and make queued ones
due now, so that the next 'spool flush' (or 'spool flush --due') tries them.
--all takes every failed message, or every queued one with --state queued.
Every ID is checked before any file is touched. An ID that is not in the
spool does not stop the others: they are requeued, and the command ends with
66 (MAPI_E_NOT_FOUND) naming the missing ones.`,
		"  mapictl spool retry 00mwzwgtwt2x8n7yp151zy73k7 && mapictl spool flush\n  mapictl spool retry --all\n  mapictl spool retry --all --state queued",
		spoolAction{act: func(sp *spool.Spool, ids []string) ([]string, []spool.IDFailure) {
			return spool.Batch(ids, func(id string) error { _, err := sp.Requeue(id); return err })
		}, verb: "requeued", state: spool.StateQueued})
}

func newSpoolDropCmd(f *factory) *cobra.Command {
	return newSpoolIDsCmd(f, "drop", "Delete queued or failed messages for good",
		`Delete messages from the spool for good (queued, failed, or set aside in
spool/rejected). --all takes every failed message, or every queued one with
--state queued. Every ID is checked before any file is touched. An ID that is
not in the spool does not stop the others: they are dropped, and the command
ends with 66 (MAPI_E_NOT_FOUND) naming the missing ones.`,
		"  mapictl spool drop 00mwzwgtwt2x8n7yp151zy73k7\n  mapictl spool drop --all\n  mapictl spool drop --all --state queued",
		spoolAction{act: (*spool.Spool).DropEach, all: (*spool.Spool).DropIn, verb: "dropped", state: "dropped"})
}

// spoolAction is what spool retry or drop does to messages: act on each
// of them (returning those done and the failures, as spool.Batch does);
// all, if set, does the same to every message in a state from one read of
// the spool (--all; else the IDs come from IDsIn); then the verb of its
// text output and the state of its JSON output.
type spoolAction struct {
	act         func(*spool.Spool, []string) ([]string, []spool.IDFailure)
	all         func(*spool.Spool, string) (ids, done []string, fails []spool.IDFailure, err error)
	verb, state string
}

// spoolIDsOptions are the arguments and flags of spool retry and drop.
type spoolIDsOptions struct {
	IDs    []string
	All    bool
	State  string
	action spoolAction
}

// idStateJSON is one message of spool retry's and drop's -o json output.
type idStateJSON struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

// newSpoolIDsCmd builds a command that acts on message IDs (ID... or --all
// [--state failed|queued]). Every ID is checked before the spool is opened,
// so a malformed one touches no file.
func newSpoolIDsCmd(f *factory, use, short, long, example string, a spoolAction) *cobra.Command {
	opts := &spoolIDsOptions{action: a}
	cmd := &cobra.Command{
		Use:     use + " ID...|--all [--state failed|queued]",
		Short:   short,
		Long:    long,
		Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			switch {
			case opts.All && len(args) > 0:
				return mapi.Errorf(mapi.InvalidParameter, "give message IDs or --all, not both")
			case !opts.All && len(args) == 0:
				return mapi.Errorf(mapi.InvalidParameter, "no message ID given").
					WithHint("pass one or more IDs (see 'mapictl spool list'), or --all")
			case !opts.All && cmd.Flags().Changed("state"):
				return mapi.Errorf(mapi.InvalidParameter, "--state goes with --all")
			case opts.State != spool.StateFailed && opts.State != spool.StateQueued:
				return mapi.Errorf(mapi.InvalidParameter, "--state must be failed or queued, not %q", opts.State)
			}
			return runSpoolIDs(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "every message in the state --state names")
	cmd.Flags().StringVar(&opts.State, "state", spool.StateFailed, "with --all: failed or queued")
	return cmd
}

// runSpoolIDs acts on the messages (spool.Batch, spool.DropEach); the failures are
// reported together at the end (spool.BatchError). With one ID -o json
// prints one object, with several or --all an array of them.
func runSpoolIDs(_ context.Context, opts *spoolIDsOptions, f *factory) error {
	for _, id := range opts.IDs {
		if err := mapi.CheckID("message", id); err != nil {
			return err
		}
	}
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	a := opts.action
	ids := opts.IDs
	var done []string
	var fails []spool.IDFailure
	switch {
	case opts.All && a.all != nil:
		if ids, done, fails, err = a.all(sp, opts.State); err != nil {
			return err
		}
	case opts.All:
		if ids, err = sp.IDsIn(opts.State); err != nil {
			return err
		}
		fallthrough
	default:
		done, fails = a.act(sp, ids)
	}
	out := []idStateJSON{}
	for _, id := range done {
		out = append(out, idStateJSON{id, a.state})
		if !f.jsonOutput() {
			f.println(a.verb + ": " + id)
		}
	}
	if f.jsonOutput() {
		var err error
		switch {
		case opts.All || len(opts.IDs) > 1:
			err = f.printJSON(out)
		case len(out) == 1:
			err = f.printJSON(out[0])
		}
		if err != nil {
			return err
		}
	}
	err, others := spool.BatchError(a.verb, len(ids), fails)
	for _, e := range others {
		if !f.jsonOutput() {
			f.warnf("%s", e.Msg)
		}
	}
	return err
}
