package delivery

import (
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
)

// The sender rule of address-override=false (issue 24): the envelope
// sender and every sender field must be the section's address, compared
// without case; anything else, or a field that does not parse, is 64.
func TestTargetCheckSenders(t *testing.T) {
	fixed := &Target{Section: "work", From: message.Address{Email: "me@example.com"}, FixedSender: true}
	header := func(kv ...string) gomail.Header {
		var h gomail.Header
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name     string
		t        *Target
		envelope string
		h        gomail.Header
		want     string // "" for no error, else a part of the message
	}{
		{"override allowed", &Target{Section: "work", From: fixed.From}, "boss@example.com",
			header("From", "boss@example.com"), ""},
		{"own address", fixed, "ME@example.com", header("From", "Me <me@EXAMPLE.com>", "Sender", "me@example.com"), ""},
		{"null envelope", fixed, "", header(), ""},
		{"other envelope", fixed, "boss@example.com", header(), "the envelope sender is boss@example.com"},
		{"other From", fixed, "", header("From", "boss@example.com"), "the From field names boss@example.com"},
		{"other Resent-Sender", fixed, "", header("Resent-Sender", "x@y.example"), "the Resent-Sender field names x@y.example"},
		{"unparsable", fixed, "", header("Sender", "<<<"), `field "Sender"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.t.CheckSenders(tc.envelope, tc.h)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !mapi.IsCode(err, mapi.InvalidParameter) || !strings.Contains(err.Error(), tc.want) ||
				!strings.HasPrefix(err.Error(), `section "work" sends only as me@example.com (address-override is false): `) {
				t.Fatalf("got %v, want 64 naming %q", err, tc.want)
			}
			if h := mapi.AsError(err).Hints; len(h) != 1 || !strings.Contains(h[0], "'mapictl section set work address-override=true'") {
				t.Fatalf("hints %q", h)
			}
		})
	}
}

func TestTargetSubmission(t *testing.T) {
	tg := &Target{Profile: "p", SectionUID: "u", Section: "s", Session: "sess"}
	s := tg.Submission(nil, true)
	if s.Profile != "p" || s.SectionUID != "u" || s.Session != "sess" || !s.QueueOnly {
		t.Fatalf("%+v", s)
	}
}
