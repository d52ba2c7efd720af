package delivery

import (
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Target is where a message goes: what the spool record names (Profile,
// SectionUID, Section, Session), who it is from, the current session's
// snapshot (Snap, nil for none) and how the flush gets its transport.
// A target that names only Profile stands for the profile's default
// transport, resolved at flush time (a sendmail run whose profile is
// locked).
type Target struct {
	Profile, SectionUID, Section, Session string
	From                                  message.Address
	Snap                                  *session.Snapshot
	Resolve                               spool.Resolver
	// FixedSender is set when the section's address-override (0x660E000B)
	// is false: the envelope sender and every sender field of the message
	// must then be From.Email (CheckSenders). Unknown (false) when the
	// section is not known yet.
	FixedSender bool
}

// CheckSenders refuses, when t's section does not allow other senders
// (FixedSender), an envelope sender (when envelope is set) or a From,
// Sender, Resent-From or Resent-Sender field of h that is not the
// section's address: MAPI_E_INVALID_PARAMETER (64), before anything is
// queued. A sender field that does not parse is refused too.
func (t *Target) CheckSenders(envelope string, h gomail.Header) error {
	if !t.FixedSender {
		return nil
	}
	refuse := func(what string) error {
		return mapi.Errorf(mapi.InvalidParameter, "section %q sends only as %s (address-override is false): %s",
			t.Section, t.From.Email, what).
			WithHint("send as " + t.From.Email + ", or allow other senders with 'mapictl section set " + textsafe.ShellArg(t.Section) + " address-override=true'")
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

// Submission is the submission of p through t (queued only when
// queueOnly).
func (t *Target) Submission(p *spool.Payload, queueOnly bool) Submission {
	return Submission{Profile: t.Profile, SectionUID: t.SectionUID, Session: t.Session, Snap: t.Snap,
		Payload: p, Resolve: t.Resolve, QueueOnly: queueOnly}
}
