package main

import (
	"context"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/sendmail"
	"github.com/mapictl/mapictl/internal/spool"
)

// runSendmail reads the message, completes it (From when missing, Date,
// Message-ID), strips Bcc, enqueues it encrypted and delivers it
// (sendmail.Options.Read and Payload). Exit 0 when sent, or when queued
// for a retry (with a warning); when the profile cannot be opened without
// a prompt it is queued for the next flush.
func runSendmail(ctx context.Context, o *sendmail.Options, f *factory) error {
	armInterrupt(ctx) // a delivery or logon stops cleanly on a signal (interrupt.go)
	m, err := o.Read(f.IO.In, nowFunc())
	if err != nil {
		return err
	}
	t, locked, err := f.sendmailTarget(o.Section, o.TargetAddress(m.From.Email))
	if err != nil {
		return err
	}
	// address-override=false: -f and the message's sender fields must be
	// the section's address (-f '<>' names none). A locked profile's
	// section is not known until the flush.
	if err := t.CheckSenders(o.Sender, m.Header); err != nil {
		return err
	}
	sender := o.EnvelopeSender(t.From.Email, m.From.Email, locked)
	if locked && sender == "" && !o.NullSender {
		// The section's address is sealed in the profile: sendmail-from
		// (config.yaml or MAPICTL_SENDMAIL_FROM) stands in for it.
		sender = f.v.GetString("sendmail-from")
		if sender == "" {
			f.warnf("no envelope sender known while the profile is locked: the message goes with the null sender; set sendmail-from in config.yaml or pass -f")
		}
	}
	p, msgID, err := o.Payload(m, t.From, sender, nowFunc())
	if err != nil {
		return err
	}
	return f.sendmailSubmit(ctx, t, locked, p, msgID)
}

// sendmailSubmit enqueues p and, unless the profile is locked, delivers
// it; a message left queued is a warning and exit 0 (sendmail.Queued).
func (f *factory) sendmailSubmit(ctx context.Context, t *delivery.Target, locked bool, p *spool.Payload, msgID string) error {
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	r, err := f.outboxKeys().Submit(ctx, sp, t.Submission(p, locked))
	if err != nil {
		return err
	}
	if queued, warning, err := sendmail.Queued(r, msgID, locked); queued {
		if warning != "" {
			f.warnf("%s", warning)
		}
		// Delivered to some: the recipients refused for now, queued.
		for _, l := range rejectionLines(r.Rejected()) {
			f.warnf("%s", l)
		}
		return err
	}
	if r.State() != "" {
		for _, l := range rejectionLines(r.Rejected()) {
			f.warnf("%s", l)
		}
	}
	return r.Err()
}
