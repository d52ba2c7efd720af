package main

import (
	"context"
	"fmt"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/spool"
)

// sendJSON is message send's -o json value (SPEC §7).
type sendJSON struct {
	ID        string          `json:"id"`
	State     string          `json:"state"`
	MessageID string          `json:"message_id"`
	Transport string          `json:"section"` // the transport section (SPEC §7)
	Accepted  []string        `json:"accepted"`
	Rejected  []rejectionJSON `json:"rejected"`
	// FailedID is the message in spool/failed holding the recipients
	// refused for good when others, refused for now, stay queued as ID.
	FailedID string `json:"failed_id,omitempty"`
}

// dryRunJSON is message send --dry-run's -o json value.
type dryRunJSON struct {
	From       string   `json:"from"`
	Message    string   `json:"message"`
	MessageID  string   `json:"message_id"`
	Recipients []string `json:"recipients"`
	Section    string   `json:"section"`
	State      string   `json:"state"`
}

// runMessageSend composes (message.Request), enqueues (before any network
// step) and, unless --queue, delivers the message; delivery.OutcomeError
// gives the exits.
func runMessageSend(ctx context.Context, opts *messageSendOptions, f *factory) error {
	armInterrupt(ctx) // a delivery or logon stops cleanly on a signal (interrupt.go)
	t, err := f.sendTarget(opts.Transport)
	if err != nil {
		return err
	}
	c, err := (&message.Request{From: t.From, To: opts.To, Cc: opts.Cc, Bcc: opts.Bcc, Subject: opts.Subject,
		Text: opts.Body, TextFile: opts.BodyFile, HTMLFile: opts.HTMLFile, Attach: opts.Attach, Headers: opts.Headers,
		Raw: opts.Raw, Date: nowFunc(), Stdin: f.IO.In,
		CheckSenders: func(h gomail.Header) error { return t.CheckSenders("", h) }}).Compose()
	if err != nil {
		return err
	}
	if opts.DryRun {
		return printDryRun(f, t, c)
	}
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	r, err := f.outboxKeys().Submit(ctx, sp, t.Submission(&spool.Payload{From: t.From.Email, To: c.To, Message: c.Msg}, opts.Queue))
	if err != nil {
		return err
	}
	if r.FlushErr != nil {
		return r.FlushErr
	}
	out := sendJSON{ID: r.ID, State: spool.StateQueued, MessageID: c.MessageID, Transport: t.Section,
		Accepted: []string{}, Rejected: []rejectionJSON{}}
	if opts.Queue {
		if f.jsonOutput() {
			return f.printJSON(out)
		}
		f.println("queued: " + r.ID)
		return nil
	}
	return f.reportSend(&out, r)
}

// reportSend prints the outcome of the send and returns its error.
func (f *factory) reportSend(out *sendJSON, r delivery.Receipt) error {
	st := r.State()
	rejected := r.Rejected()
	out.Accepted = append(out.Accepted, r.Accepted()...)
	out.Rejected = rejectionsJSON(rejected)
	out.State = st
	out.FailedID = r.Outcome.FailedID
	if st == "" {
		return r.Err()
	}
	if f.jsonOutput() {
		if err := f.printJSON(out); err != nil {
			return err
		}
	} else {
		switch {
		case st == "sent" || st == "partial" || len(out.Accepted) > 0:
			// Delivered to some: those refused for now (queued) or for
			// good follow, one line each, and the IDs they are kept as.
			f.printf("sent: %s via %s (%s)\n", out.MessageID, out.Transport, plural(len(out.Accepted), "recipient"))
			for _, l := range rejectionLines(rejected) {
				f.println(l)
			}
			if st == spool.StateQueued || out.FailedID != "" {
				f.println("queued: " + out.ID)
			}
			if out.FailedID != "" {
				f.println("failed: " + out.FailedID)
			}
		default:
			f.println(st + ": " + out.ID)
		}
	}
	return r.Err()
}

// sendTarget picks the section message send uses: under a session, the
// snapshot's (From is the session's address); else the profile's
// (account.Resolver.Sending, Target).
func (f *factory) sendTarget(name string) (*delivery.Target, error) {
	snap, err := f.currentSession()
	if err != nil {
		return nil, err
	}
	r := f.accounts(snap)
	a, err := r.Sending(name)
	if err != nil {
		return nil, err
	}
	return r.Target(a), nil
}

// printDryRun prints what would be sent and writes nothing.
func printDryRun(f *factory, t *delivery.Target, c *message.Composed) error {
	if f.jsonOutput() {
		return f.printJSON(dryRunJSON{State: "dry-run", MessageID: c.MessageID, Section: t.Section,
			From: t.From.Email, Recipients: c.To, Message: string(c.Msg)})
	}
	fmt.Fprintf(f.IO.Err, "mapictl: dry run: would send via %s from %s to %s\n", t.Section, t.From.Email, strings.Join(c.To, ", "))
	_, err := f.IO.Out.Write(c.Msg)
	return err
}
