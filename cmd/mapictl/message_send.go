package main

import (
	"fmt"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
)

// sendTarget is where a message goes: the section, who it is from, what the
// spool record names, and how the flush gets its transport.
type sendTarget struct {
	Profile, SectionUID, Section, Session string
	From                                  message.Address
	Resolve                               spool.Resolver
	Snap                                  *session.Snapshot
	// FixedSender is set when the section's address-override (0x660E000B)
	// is false: the envelope sender and every sender field of the message
	// must then be From.Email (checkSenders). Unknown (false) for a
	// sendmail target whose profile is locked.
	FixedSender bool
}

// checkSenders refuses, when t's section does not allow other senders
// (address-override=false), an envelope sender (when envelope is set) or a
// From, Sender, Resent-From or Resent-Sender field of h that is not the
// section's address: MAPI_E_INVALID_PARAMETER (64), before anything is
// queued. A sender field that does not parse is refused too.
func checkSenders(t *sendTarget, envelope string, h gomail.Header) error {
	if !t.FixedSender {
		return nil
	}
	refuse := func(what string) error {
		return mapi.Errorf(mapi.InvalidParameter, "section %q sends only as %s (address-override is false): %s",
			t.Section, t.From.Email, what).
			WithHint("send as " + t.From.Email + ", or allow other senders with 'mapictl section set " + t.Section + " address-override=true'")
	}
	if envelope != "" && !strings.EqualFold(envelope, t.From.Email) {
		return refuse("the envelope sender is " + envelope)
	}
	other, err := message.ForeignSenders(h, t.From.Email)
	if err != nil {
		return refuse(err.Error())
	}
	if len(other) > 0 {
		return refuse("the " + other[0].Field + " field names " + other[0].Email)
	}
	return nil
}

// sendJSON is message send's -o json value (SPEC §7).
type sendJSON struct {
	ID        string          `json:"id"`
	State     string          `json:"state"`
	MessageID string          `json:"message_id"`
	Transport string          `json:"section"` // the transport section (SPEC §7)
	Accepted  []string        `json:"accepted"`
	Rejected  []rejectionJSON `json:"rejected"`
}

// messageSendRun composes, enqueues (before any network step) and, unless
// --queue, delivers the message; see deliver_errors.go for the exits.
func messageSendRun(f *factory, opts *messageSendOptions) error {
	t, err := f.sendTarget(opts.Transport)
	if err != nil {
		return err
	}
	c, err := composeMessage(f, opts, t)
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
	r, err := f.outboxKeys().Submit(f.context(), sp, delivery.Submission{
		Profile: t.Profile, SectionUID: t.SectionUID, Session: t.Session, Snap: t.Snap,
		Payload: &spool.Payload{From: t.From.Email, To: c.To, Message: c.Msg},
		Resolve: t.Resolve, QueueOnly: opts.Queue})
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
	if st == "" {
		return mapi.AsError(r.Outcome.Err)
	}
	if f.jsonOutput() {
		if err := f.printJSON(out); err != nil {
			return err
		}
	} else {
		switch st {
		case "sent", "partial":
			f.printf("sent: %s via %s (%s)\n", out.MessageID, out.Transport, plural(len(out.Accepted), "recipient"))
			for _, l := range rejectionLines(rejected) {
				f.println(l)
			}
		default:
			f.println(st + ": " + out.ID)
		}
	}
	if e := outcomeError(out.ID, st, r.Outcome.Err, rejected); e != nil {
		return e
	}
	return nil
}

// sendTarget picks the section message send uses: under a session, the
// snapshot's (From is the session's address); else the profile's
// (account.Resolver.Sending).
func (f *factory) sendTarget(name string) (*sendTarget, error) {
	snap, err := f.currentSession()
	if err != nil {
		return nil, err
	}
	r := f.accounts(snap)
	a, err := r.Sending(name)
	if err != nil {
		return nil, err
	}
	return targetOf(r, a), nil
}

// targetOf is where a message sent through account a goes.
func targetOf(r *account.Resolver, a *account.Account) *sendTarget {
	return &sendTarget{Profile: a.Profile, SectionUID: a.UID, Section: a.Name, Session: a.Session,
		From: a.From, Resolve: r.Resolve(a), Snap: r.Session, FixedSender: !a.Outbound.AddressOverride}
}

// printDryRun prints what would be sent and writes nothing.
func printDryRun(f *factory, t *sendTarget, c *composed) error {
	if f.jsonOutput() {
		return f.printJSON(map[string]any{"state": "dry-run", "message_id": c.MessageID, "section": t.Section,
			"from": t.From.Email, "recipients": c.To, "message": string(c.Msg)})
	}
	fmt.Fprintf(f.IO.Err, "mapictl: dry run: would send via %s from %s to %s\n", t.Section, t.From.Email, strings.Join(c.To, ", "))
	_, err := f.IO.Out.Write(c.Msg)
	return err
}
