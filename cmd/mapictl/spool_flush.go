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
	Due       bool
	Transport string
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
		Use:   "flush [--due] [--transport SECTION]",
		Short: "Try to deliver queued messages now (one connection per transport section)",
		Long: `Deliver queued messages, reusing one connection per transport section. --due
(for cron) only tries those whose backoff has run out. Each message's transport
comes from the profile and section it was queued for (or the current session's
snapshot for messages queued under it). Prints "flushed: N sent, N queued, N failed";
a progress bar is shown on stderr when it is a terminal.`,
		Example: "  mapictl spool flush\n  */5 * * * * mapictl spool flush --due",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return spoolFlushRun(f, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Due, "due", false, "only messages whose retry time has come")
	cmd.Flags().StringVar(&opts.Transport, "transport", "", "only messages of this transport section")
	_ = cmd.RegisterFlagCompletionFunc("transport", f.completeSections)
	return cmd
}

func spoolFlushRun(f *factory, opts *spoolFlushOptions) error {
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	fo := spool.FlushOptions{Due: opts.Due, Open: opener{f, snap}, Resolve: f.profileResolver(snap)}
	if opts.Transport != "" {
		if fo.SectionUID, err = f.sectionUID(opts.Transport); err != nil {
			return err
		}
	}
	if fo.Seal, err = f.spoolRecipients(snap); err != nil {
		return err
	}
	if stderrTTY(f) {
		fo.Progress = func(done, total int) { progressBar(f, done, total) }
	}
	outs, err := sp.Flush(context.Background(), fo)
	if err != nil {
		return err
	}
	f.resealOrphans(sp, fo.Open)
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
	if f.jsonOutput() {
		return f.printJSON(sum)
	}
	if sum.Rejected > 0 {
		f.printf("flushed: %d sent, %d queued, %d failed, %d set aside (not queued by this store)\n", sum.Sent, sum.Queued, sum.Failed, sum.Rejected)
		return nil
	}
	f.printf("flushed: %d sent, %d queued, %d failed\n", sum.Sent, sum.Queued, sum.Failed)
	return nil
}

// sectionUID resolves a transport section name for --transport.
func (f *factory) sectionUID(name string) (string, error) {
	snap, err := f.currentSession()
	if err != nil {
		return "", err
	}
	if snap != nil {
		if sec := snap.Section(name); sec != nil {
			return sec.Settings.SectionUID, nil
		}
	}
	pname, err := f.ProfileName()
	if err != nil {
		return "", err
	}
	p, err := f.LoadProfile(pname)
	if err != nil {
		return "", err
	}
	s, err := pickTransport(p, name)
	if err != nil {
		return "", err
	}
	return s.UID, nil
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
	return f.spoolIDCmd("retry ID", "Put a failed message back in the outbox (due now)",
		"  mapictl spool retry 00mwzwgtwt2x8n7yp151zy73k7 && mapictl spool flush",
		func(sp *spool.Spool, id string) error { return sp.Retry(id) }, "requeued", spool.StateQueued)
}

func newSpoolDropCmd(f *factory) *cobra.Command {
	return f.spoolIDCmd("drop ID", "Delete a queued or failed message for good",
		"  mapictl spool drop 00mwzwgtwt2x8n7yp151zy73k7",
		func(sp *spool.Spool, id string) error { return sp.Drop(id) }, "dropped", "dropped")
}

// spoolIDCmd builds a command that acts on one message ID: the ID is checked
// before the spool is opened, so a malformed one touches no file.
func (f *factory) spoolIDCmd(use, short, example string, act func(*spool.Spool, string) error, verb, state string) *cobra.Command {
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := mapi.CheckID("message", args[0]); err != nil {
				return err
			}
			sp, err := f.openSpool()
			if err != nil {
				return err
			}
			if err := act(sp, args[0]); err != nil {
				return err
			}
			return f.printState(args[0], verb, state)
		},
	}
}

func (f *factory) printState(id, verb, state string) error {
	if f.jsonOutput() {
		return f.printJSON(map[string]string{"id": id, "state": state})
	}
	f.println(verb + ": " + id)
	return nil
}
