package main

import (
	"fmt"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
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
	seal, err := f.spoolRecipients(t.Snap)
	if err != nil {
		return err
	}
	p := &spool.Payload{From: t.From.Email, To: c.To, Message: c.Msg}
	id, err := sp.Enqueue(seal, t.Profile, t.SectionUID, t.Session, p)
	if err != nil {
		return err
	}
	out := sendJSON{ID: id, State: spool.StateQueued, MessageID: c.MessageID, Transport: t.Section,
		Accepted: []string{}, Rejected: []rejectionJSON{}}
	if opts.Queue {
		if f.jsonOutput() {
			return f.printJSON(out)
		}
		f.println("queued: " + id)
		return nil
	}
	outs, err := sp.Flush(f.context(), spool.FlushOptions{IDs: []string{id},
		Open: opener{f, t.Snap}, Seal: seal, Resolve: t.Resolve})
	if err != nil {
		return err
	}
	if len(outs) != 1 {
		return mapi.Errorf(mapi.CallFailed, "message %s: no delivery outcome", id)
	}
	return f.reportSend(&out, outs[0])
}

// reportSend prints the outcome of the send and returns its error.
func (f *factory) reportSend(out *sendJSON, oc spool.Outcome) error {
	st := oc.State
	if oc.Skipped {
		st = spool.StateQueued
	}
	var rejected []transport.Rejection
	if oc.Result != nil {
		out.Accepted = append(out.Accepted, oc.Result.Accepted...)
		rejected = oc.Result.Rejected
		out.Rejected = rejectionsJSON(rejected)
	}
	out.State = st
	if st == "" {
		return mapi.AsError(oc.Err)
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
	if e := outcomeError(out.ID, st, oc.Err, rejected); e != nil {
		return e
	}
	return nil
}

// sendTarget picks the section message send uses: under a session, the
// snapshot's (From is the session's address); else the profile's.
func (f *factory) sendTarget(name string) (*sendTarget, error) {
	snap, err := f.currentSession()
	if err != nil {
		return nil, err
	}
	if snap != nil {
		sec := snap.Default()
		if name != "" {
			sec = snap.Section(name)
		}
		if sec == nil {
			return nil, mapi.Errorf(mapi.NotFound, "the session has no transport section %q", name).
				WithHint("log on with 'mapictl session logon --section " + name + "'")
		}
		return &sendTarget{Profile: snap.Profile, SectionUID: sec.Settings.SectionUID, Section: sec.Settings.Section,
			Session: snap.ID, From: message.Address{Name: sec.Name, Email: sec.Address},
			Resolve: f.profileResolver(snap), Snap: snap, FixedSender: !sec.Settings.AddressOverride}, nil
	}
	pname, err := f.ProfileName()
	if err != nil {
		return nil, err
	}
	p, err := f.LoadProfile(pname)
	if err != nil {
		return nil, err
	}
	s, err := pickTransport(p, name)
	if err != nil {
		return nil, err
	}
	email := s.String(mapi.PrEmailAddress)
	if email == "" {
		return nil, mapi.Errorf(mapi.Unconfigured, "section %q has no email address to send from", s.Name).
			WithHint("set one with 'mapictl section set " + s.Name + " email=ADDRESS'")
	}
	resolve := func(*spool.Record) (transport.Transport, error) {
		st := session.SettingsOf(s, f.StoreDir())
		creds, err := f.sectionCredentials(s, st)
		if err != nil {
			return nil, err
		}
		return f.newTransport(st, creds)
	}
	return &sendTarget{Profile: pname, SectionUID: s.UID, Section: s.Name,
		From: message.Address{Name: s.String(mapi.PrDisplayName), Email: email}, Resolve: resolve,
		FixedSender: !s.Bool(mapi.PrAddressOverride, true)}, nil
}

// pickTransport returns the named transport section, else the default one.
func pickTransport(p *profile.Profile, name string) (*profile.Section, error) {
	if name == "" {
		s, err := p.DefaultTransport()
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, mapi.Errorf(mapi.Unconfigured, "profile %q has no transport section", p.Name).
				WithHint("create one with 'mapictl section create NAME --transport maildir'")
		}
		return s, nil
	}
	s, err := p.Section(name)
	if err != nil {
		return nil, err
	}
	if s.Kind != profile.KindTransport {
		return nil, mapi.Errorf(mapi.InvalidParameter, "section %q is not a transport section", name)
	}
	return s, nil
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
