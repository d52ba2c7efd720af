package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/term"
)

func newSpoolCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spool",
		Short: "Inspect and deliver the queued and failed messages of the outbox",
		Long: `The spool (<store>/spool) holds every message until a transport accepted it,
encrypted at rest. Queued messages are retried with backoff (1m, 5m, 30m, 2h, …;
after 5 days they move to failed); failed ones wait for 'spool retry' or 'spool drop'.`,
	}
	cmd.PersistentFlags().String(sessionFileFlag, "", "read the session token from this file")
	cmd.AddCommand(newSpoolListCmd(f), newSpoolShowCmd(f), newSpoolFlushCmd(f), newSpoolRetryCmd(f), newSpoolDropCmd(f), newSpoolWatchCmd(f))
	return cmd
}

// spoolEntry is one message of spool list -o json (SPEC §7); recipients and
// reason are null when no identity in use opens the payload.
type spoolEntry struct {
	ID          string     `json:"id"`
	State       string     `json:"state"`
	Transport   string     `json:"section"` // the transport section (SPEC §7)
	Recipients  []string   `json:"recipients"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt"`
	Reason      *string    `json:"reason"`
}

// newSpoolEntry is rec's entry, its section named name; p is its payload,
// nil when no identity in use opens it.
func newSpoolEntry(rec *spool.Record, name string, p *spool.Payload) spoolEntry {
	e := spoolEntry{ID: rec.ID, State: rec.State, Transport: name, Attempts: rec.Attempts}
	if rec.State == spool.StateQueued {
		t := rec.NextAttempt
		e.NextAttempt = &t
	}
	if p != nil {
		e.Recipients = p.To
		if p.Reason != "" {
			e.Reason = &p.Reason
		}
	}
	return e
}

func newSpoolListCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List queued and failed messages",
		Example: "  mapictl spool list\n  mapictl spool list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSpoolList(cmd.Context(), f)
		},
	}
}

// runSpoolList lists the queued and failed messages; recipients and reason
// are shown only for those an identity in use opens.
func runSpoolList(_ context.Context, f *factory) error {
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	recs, err := sp.List()
	if err != nil {
		return err
	}
	name, op := f.accounts(snap).SectionNamer(), f.outboxKeys().Opener(snap)
	// Opening every payload is the slow part: a list longer than the
	// terminal shows its progress on stderr (nil unless it is a terminal).
	var progress func(done, total int)
	if rows := term.Rows(f.IO.Err); rows > 0 && len(recs) > rows {
		progress = term.Progress(f.IO.Err)
	}
	entries := []spoolEntry{}
	for i := range recs {
		rec := &recs[i]
		p, err := sp.Payload(rec, op)
		if err != nil {
			p = nil
		}
		entries = append(entries, newSpoolEntry(rec, name(rec), p))
		if progress != nil {
			progress(i+1, len(recs))
		}
	}
	if f.jsonOutput() {
		return f.printJSON(entries)
	}
	rows := [][]string{}
	for _, e := range entries {
		next, reason, rcpts := "-", "-", "?"
		if e.NextAttempt != nil {
			next = e.NextAttempt.Format(time.RFC3339)
		}
		if e.Reason != nil {
			reason = *e.Reason
		}
		if e.Recipients != nil {
			rcpts = strings.Join(e.Recipients, ", ")
		}
		rows = append(rows, []string{e.ID, e.State, e.Transport, itoa(e.Attempts), next, rcpts, reason})
	}
	f.table([]string{"ID", "STATE", "TRANSPORT", "ATTEMPTS", "NEXT", "RECIPIENTS", "REASON"}, rows)
	return nil
}
