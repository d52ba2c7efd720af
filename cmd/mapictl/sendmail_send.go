package main

import (
	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/sendmail"
	"github.com/mapictl/mapictl/internal/spool"
)

// sendmailDeliver reads the message, completes it (From when missing, Date,
// Message-ID), strips Bcc, enqueues it encrypted and delivers it. Exit 0
// when sent, or when queued for a retry (with a warning); when the profile
// cannot be opened without a prompt it is queued for the next flush.
func sendmailDeliver(f *factory, o *sendmail.Options) error {
	raw, err := sendmail.ReadMessage(f.IO.In, o.IgnoreDots)
	if err != nil {
		return mapi.Wrap(mapi.DiskError, err, "read standard input")
	}
	_, h, _, err := message.Prepare(raw, "localhost", nowFunc())
	if err != nil {
		return messageError(err)
	}
	var hdrFrom message.Address
	if list, err := message.ParseAddressList(h.Get("From")); err == nil && len(list) > 0 {
		hdrFrom = list[0]
	}
	t, locked, err := f.sendmailTarget(o.Section, o.TargetAddress(hdrFrom.Email))
	if err != nil {
		return err
	}
	// address-override=false: -f and the message's sender fields must be
	// the section's address (-f '<>' names none). A locked profile's
	// section is not known until the flush.
	if err := checkSenders(t, o.Sender, h); err != nil {
		return err
	}
	sender := o.EnvelopeSender(t.From.Email, hdrFrom.Email, locked)
	if locked && sender == "" && !o.NullSender {
		// The section's address is sealed in the profile: sendmail-from
		// (config.yaml or MAPICTL_SENDMAIL_FROM) stands in for it.
		sender = f.v.GetString("sendmail-from")
		if sender == "" {
			f.warnf("no envelope sender known while the profile is locked: the message goes with the null sender; set sendmail-from in config.yaml or pass -f")
		}
	}
	if !h.Has("From") {
		if addr := o.FromField(t.From, sender); addr.Email != "" {
			raw = sendmail.AddField(raw, "From", addr.String())
		}
	}
	domain := t.From.Domain()
	if domain == "" {
		domain = (message.Address{Email: sender}).Domain()
	}
	out, h, msgID, err := message.Prepare(raw, domain, nowFunc())
	if err != nil {
		return messageError(err)
	}
	to, err := o.EnvelopeRecipients(h)
	if err != nil {
		return messageError(err)
	}
	p := &spool.Payload{From: sender, To: to, Message: message.StripBcc(out),
		DSNNotify: o.DSNNotify, DSNReturn: o.DSNReturn, EnvID: o.EnvID, Body: o.Body}
	return f.sendmailSubmit(t, locked, p, msgID)
}

// sendmailSubmit enqueues p and, unless the profile is locked, delivers
// it; a message left queued is a warning and exit 0.
func (f *factory) sendmailSubmit(t *sendTarget, locked bool, p *spool.Payload, msgID string) error {
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	r, err := f.outboxKeys().Submit(f.context(), sp, delivery.Submission{
		Profile: t.Profile, SectionUID: t.SectionUID, Session: t.Session, Snap: t.Snap,
		Payload: p, Resolve: t.Resolve, QueueOnly: locked})
	if err != nil {
		return err
	}
	id := r.ID
	if locked {
		f.warnf("message %s queued as %s: the profile cannot be opened without a passphrase; the next 'mapictl spool flush' that can open it sends it", msgID, id)
		return nil
	}
	if spool.Interrupted(r.FlushErr) {
		return r.FlushErr // a signal: 75, the message stays queued
	}
	if r.FlushErr != nil {
		f.warnf("message %s queued as %s: %s", msgID, id, mapi.AsError(r.FlushErr).Msg)
		return nil
	}
	st := r.State()
	if st == spool.StateQueued {
		reason := "another flush holds it"
		if r.Outcome.Err != nil {
			reason = transportError(r.Outcome.Err).Msg
		}
		f.warnf("message %s queued as %s for a retry (%s); 'mapictl spool flush' sends it", msgID, id, reason)
		return nil
	}
	if st == "" {
		return mapi.AsError(r.Outcome.Err)
	}
	rejected := r.Rejected()
	for _, l := range rejectionLines(rejected) {
		f.warnf("%s", l)
	}
	if e := outcomeError(id, st, r.Outcome.Err, rejected); e != nil {
		return e
	}
	return nil
}
