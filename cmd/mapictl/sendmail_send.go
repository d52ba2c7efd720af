package main

import (
	"bytes"
	"strings"
	"unicode"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/sendmailopt"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

// sendmailDeliver reads the message, completes it (From when missing, Date,
// Message-ID), strips Bcc, enqueues it encrypted and delivers it. Exit 0
// when sent, or when queued for a retry (with a warning); when the profile
// cannot be opened without a prompt it is queued for the next flush.
func sendmailDeliver(f *factory, o *sendmailopt.Options) error {
	raw, err := sendmailopt.ReadMessage(f.IO.In, o.IgnoreDots)
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
	hint := o.Sender
	if hint == "" {
		hint = hdrFrom.Email
	}
	t, locked, err := f.sendmailTarget(o.Section, hint)
	if err != nil {
		return err
	}
	// address-override=false: -f and the message's sender fields must be
	// the section's address (-f '<>' names none). A locked profile's
	// section is not known until the flush.
	if err := checkSenders(t, o.Sender, h); err != nil {
		return err
	}
	sender := t.From.Email
	switch {
	case o.NullSender:
		sender = ""
	case o.Sender != "":
		sender = o.Sender
	case (o.ReadEnvelopeFrom || locked) && hdrFrom.Email != "":
		sender = hdrFrom.Email
	}
	if locked && sender == "" && !o.NullSender {
		// The section's address is sealed in the profile: sendmail-from
		// (config.yaml or MAPICTL_SENDMAIL_FROM) stands in for it.
		sender = f.v.GetString("sendmail-from")
		if sender == "" {
			f.warnf("no envelope sender known while the profile is locked: the message goes with the null sender; set sendmail-from in config.yaml or pass -f")
		}
	}
	if !h.Has("From") {
		if addr := fromFor(o, t.From, sender); addr.Email != "" {
			raw = addField(raw, "From", addr.String())
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
	to, err := sendmailRecipients(o, h)
	if err != nil {
		return err
	}
	p := &spool.Payload{From: sender, To: to, Message: message.StripBcc(out),
		DSNNotify: o.DSNNotify, DSNReturn: o.DSNReturn, EnvID: o.EnvID, Body: o.Body}
	return f.sendmailSubmit(t, locked, p, msgID)
}

// fromFor is the From field added to a message that has none: -F's name
// (else the section's display name) with the envelope sender's address.
func fromFor(o *sendmailopt.Options, section message.Address, sender string) message.Address {
	a := message.Address{Name: o.FullName, Email: sender}
	if a.Email == "" {
		a.Email = section.Email
	}
	if a.Name == "" && strings.EqualFold(a.Email, section.Email) {
		a.Name = section.Name
	}
	return a
}

// addField puts "key: value" first in the header, with the line break
// the message already uses.
func addField(raw []byte, key, value string) []byte {
	nl := "\n"
	if i := bytes.IndexByte(raw, '\n'); i > 0 && raw[i-1] == '\r' {
		nl = "\r\n"
	}
	return append([]byte(key+": "+value+nl), raw...)
}

// sendmailRecipients are the command line's addresses (each argument may
// list several, comma-separated; a bare local name such as cron's "root"
// is passed as written, but never one holding a control character such
// as CR, LF or NUL), plus with -t those of To, Cc and Bcc; duplicates
// dropped. No recipient at all is 64.
func sendmailRecipients(o *sendmailopt.Options, h gomail.Header) ([]string, error) {
	var to []string
	for _, arg := range o.Recipients {
		list, err := message.ParseAddressList(arg)
		if err != nil {
			s := strings.TrimSpace(arg)
			if s == "" || strings.ContainsAny(s, " <>,\"") || strings.IndexFunc(arg, unicode.IsControl) >= 0 ||
				strings.HasPrefix(s, "-") {
				return nil, mapi.Wrap(mapi.InvalidParameter, err, "recipient "+arg)
			}
			to = append(to, s)
			continue
		}
		for _, a := range list {
			to = append(to, a.Email)
		}
	}
	if o.ExtractRecipients {
		got, err := message.HeaderRecipients(h)
		if err != nil {
			return nil, messageError(err)
		}
		to = append(to, got...)
	}
	to = dedupe(to)
	if len(to) == 0 {
		return nil, mapi.Errorf(mapi.InvalidParameter, "the message names no recipient").
			WithHint("name recipients on the command line, or pass -t to read To, Cc and Bcc")
	}
	return to, nil
}

// sendmailSubmit enqueues p and, unless the profile is locked, delivers it.
func (f *factory) sendmailSubmit(t *sendTarget, locked bool, p *spool.Payload, msgID string) error {
	sp, err := f.openSpool()
	if err != nil {
		return err
	}
	seal, err := f.spoolRecipients(t.Snap)
	if err != nil {
		return err
	}
	id, err := sp.Enqueue(seal, t.Profile, t.SectionUID, t.Session, p)
	if err != nil {
		return err
	}
	if locked {
		f.warnf("message %s queued as %s: the profile cannot be opened without a passphrase; the next 'mapictl spool flush' that can open it sends it", msgID, id)
		return nil
	}
	outs, err := sp.Flush(f.context(), spool.FlushOptions{IDs: []string{id},
		Open: opener{f, t.Snap}, Seal: seal, Resolve: t.Resolve})
	if spool.Interrupted(err) {
		return err // a signal: 75, the message stays queued
	}
	if err != nil {
		f.warnf("message %s queued as %s: %s", msgID, id, mapi.AsError(err).Msg)
		return nil
	}
	if len(outs) != 1 {
		return mapi.Errorf(mapi.CallFailed, "message %s: no delivery outcome", id)
	}
	oc := outs[0]
	st := oc.State
	if oc.Skipped || st == spool.StateQueued {
		reason := "another flush holds it"
		if oc.Err != nil {
			reason = transportError(oc.Err).Msg
		}
		f.warnf("message %s queued as %s for a retry (%s); 'mapictl spool flush' sends it", msgID, id, reason)
		return nil
	}
	if st == "" {
		return mapi.AsError(oc.Err)
	}
	var rejected []transport.Rejection
	if oc.Result != nil {
		rejected = oc.Result.Rejected
	}
	for _, l := range rejectionLines(rejected) {
		f.warnf("%s", l)
	}
	if e := outcomeError(id, st, oc.Err, rejected); e != nil {
		return e
	}
	return nil
}
