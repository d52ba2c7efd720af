package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

func itoa(n int) string { return strconv.Itoa(n) }

// nonEmpty is &s, or nil for "": a value not recorded is null in JSON.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref is *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// spoolShowJSON is spool show's -o json value.
type spoolShowJSON struct {
	spoolEntry
	Profile      string          `json:"profile"`
	From         string          `json:"from"`
	Created      time.Time       `json:"created"`
	LastAttempt  *time.Time      `json:"last_attempt"`
	ErrorKind    *string         `json:"error_kind"`    // null while none was recorded
	Stage        *string         `json:"stage"`         // null while none was recorded
	SMTPCode     *int            `json:"smtp_code"`     // null without a server reply
	EnhancedCode *string         `json:"enhanced_code"` // null without one
	Rejected     []rejectionJSON `json:"rejected"`
	NDR          *string         `json:"ndr"`
}

// spoolShowOptions are spool show's argument and flags.
type spoolShowOptions struct {
	ID           string
	NDR, Message bool
}

func newSpoolShowCmd(f *factory) *cobra.Command {
	opts := &spoolShowOptions{}
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one message: its state, recipients, failure and report",
		Long: `Show a queued or failed message. Opening it needs an identity among the spool's
recipients (the store identity, or the session it was queued under). --ndr prints
the RFC 3464 non-delivery report alone; --message the queued message.`,
		Example: "  mapictl spool show 00mwzwgtwt2x8n7yp151zy73k7\n  mapictl spool show ID --ndr",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			return runSpoolShow(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.NDR, "ndr", false, "print the non-delivery report only")
	cmd.Flags().BoolVar(&opts.Message, "message", false, "print the message only")
	cmd.MarkFlagsMutuallyExclusive("ndr", "message")
	return cmd
}

// runSpoolShow prints one message: its record and what its payload says,
// or only its report (--ndr) or message (--message).
func runSpoolShow(_ context.Context, opts *spoolShowOptions, f *factory) error {
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	snap, err := f.currentSession()
	if err != nil {
		return err
	}
	if (opts.NDR || opts.Message) && f.jsonOutput() {
		return mapi.Errorf(mapi.InvalidParameter, "--ndr and --message print the report or message as it is, not JSON").
			WithHint("drop -o json; 'mapictl spool show ID -o json' has the report in its ndr key")
	}
	rec, p, err := sp.Load(opts.ID, f.outboxKeys().Opener(snap))
	if err != nil {
		return err
	}
	switch {
	case opts.NDR:
		if len(p.NDR) == 0 {
			return mapi.Errorf(mapi.NotFound, "message %s has no non-delivery report", rec.ID).
				WithHint("a report is made when a message fails for good; 'mapictl spool show " + rec.ID + "' shows its state")
		}
		_, err = f.IO.Out.Write(p.NDR)
		return err
	case opts.Message:
		_, err = f.IO.Out.Write(p.Message)
		return err
	}
	out := spoolShowJSON{spoolEntry: newSpoolEntry(rec, f.accounts(snap).SectionNamer()(rec), p),
		Profile: rec.Profile, From: p.From, Created: rec.Created, ErrorKind: nonEmpty(rec.ErrorKind),
		Stage: nonEmpty(p.Stage), EnhancedCode: nonEmpty(p.EnhancedCode), Rejected: rejectionsJSON(p.Rejected)}
	if p.SMTPCode != 0 {
		out.SMTPCode = &p.SMTPCode
	}
	if !rec.LastAttempt.IsZero() {
		out.LastAttempt = &rec.LastAttempt
	}
	if len(p.NDR) > 0 {
		s := string(p.NDR)
		out.NDR = &s
	}
	if f.jsonOutput() {
		return f.printJSON(out)
	}
	printSpoolShow(f, &out)
	return nil
}

// printSpoolShow prints the text form. Every value is escaped: the reason
// and rejections quote the server, addresses and names come from the
// message, and none may reach the terminal with a control character.
func printSpoolShow(f *factory, o *spoolShowJSON) {
	line := func(k, v string) {
		if v != "" {
			f.printf("%-13s %s\n", k+":", textsafe.Escape(v))
		}
	}
	line("id", o.ID)
	line("state", o.State)
	line("profile", o.Profile)
	line("transport", o.Transport)
	line("from", o.From)
	line("recipients", strings.Join(o.Recipients, ", "))
	line("attempts", itoa(o.Attempts))
	line("created", o.Created.Format(time.RFC3339))
	if o.LastAttempt != nil {
		line("last attempt", o.LastAttempt.Format(time.RFC3339))
	}
	if o.NextAttempt != nil {
		line("next attempt", o.NextAttempt.Format(time.RFC3339))
	}
	line("error kind", deref(o.ErrorKind))
	line("stage", deref(o.Stage))
	if o.SMTPCode != nil {
		line("smtp code", strings.TrimSpace(fmt.Sprint(*o.SMTPCode, " ", deref(o.EnhancedCode))))
	}
	if o.Reason != nil {
		line("reason", *o.Reason)
	}
	for _, r := range o.Rejected {
		line("rejected", fmt.Sprintf("%s %d %s", r.Address, r.SMTPCode, r.Message))
	}
	if o.NDR != nil {
		line("report", fmt.Sprintf("non-delivery report (%d bytes); print it with --ndr", len(*o.NDR)))
	}
}
