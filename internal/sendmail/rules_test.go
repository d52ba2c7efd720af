package sendmail

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/profile"
)

// TestEnvelopeRecipientsRefuseControls: a recipient argument that is not an
// address is passed as a bare local name (cron's "root") only without CR,
// LF, NUL or another control character, which would reach RCPT TO (issue
// 24 point 10; a NUL cannot be given in a real argument, but Parse and
// this method are also called by code). Moved here from cmd/mapictl.
func TestEnvelopeRecipientsRefuseControls(t *testing.T) {
	for _, arg := range []string{"root\x00", "ro\x00ot", "root\r", "root\n", "ro\rot", "\x00", "root\x1b[0m", "root\x7f"} {
		to, err := (&Options{Recipients: []string{arg}}).EnvelopeRecipients(gomail.Header{})
		if !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("recipient %q: %v, %v; want MAPI_E_INVALID_PARAMETER", arg, to, err)
		}
	}
	to, err := (&Options{Recipients: []string{" root ", "a@example.com, b@example.com"}}).EnvelopeRecipients(gomail.Header{})
	if err != nil || len(to) != 3 || to[0] != "root" {
		t.Errorf("plain recipients: %v, %v", to, err)
	}
}

func TestEnvelopeRecipients(t *testing.T) {
	h := gomail.Header{}
	h.Set("To", "Dana <dana@example.com>, li@example.com")
	h.Set("Cc", "cc@example.com")
	h.Set("Bcc", "hidden@example.com")
	tests := []struct {
		name string
		o    Options
		want []string
	}{
		{"arguments only", Options{Recipients: []string{"x@example.com", "y@example.com"}}, []string{"x@example.com", "y@example.com"}},
		{"comma list and name", Options{Recipients: []string{`"X" <x@example.com>, y@example.com`}}, []string{"x@example.com", "y@example.com"}},
		{"-t reads To, Cc and Bcc", Options{ExtractRecipients: true},
			[]string{"dana@example.com", "li@example.com", "cc@example.com", "hidden@example.com"}},
		{"-t with arguments, duplicates dropped", Options{ExtractRecipients: true, Recipients: []string{"li@example.com", "z@example.com"}},
			[]string{"li@example.com", "z@example.com", "dana@example.com", "cc@example.com", "hidden@example.com"}},
		{"without -t the header is not read", Options{Recipients: []string{"root"}}, []string{"root"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.o.EnvelopeRecipients(h)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("EnvelopeRecipients = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range [][]string{{"a b"}, {"-x"}, {"<x"}, {" "}} {
		if _, err := (&Options{Recipients: bad}).EnvelopeRecipients(h); !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("recipient %q: %v, want MAPI_E_INVALID_PARAMETER", bad, err)
		}
	}
	_, err := (&Options{ExtractRecipients: true}).EnvelopeRecipients(gomail.Header{})
	var me *mapi.Error
	if !errors.As(err, &me) || me.Code != mapi.InvalidParameter || me.Msg != "the message names no recipient" || len(me.Hints) != 1 ||
		strings.Contains(me.Hints[0], "pass -t") || !strings.Contains(me.Hints[0], "To, Cc and Bcc fields") {
		t.Errorf("no recipient with -t: %v %q, want MAPI_E_INVALID_PARAMETER with a hint that does not say to pass -t", err, me.Hints)
	}
	bad := gomail.Header{}
	bad.Set("To", "<<not an address")
	if _, err := (&Options{ExtractRecipients: true}).EnvelopeRecipients(bad); err == nil {
		t.Error("-t with a To that does not parse succeeded")
	}
}

func TestTargetAddress(t *testing.T) {
	if got := (&Options{Sender: "f@example.com"}).TargetAddress("h@example.com"); got != "f@example.com" {
		t.Errorf("with -f: %q", got)
	}
	if got := (&Options{}).TargetAddress("h@example.com"); got != "h@example.com" {
		t.Errorf("without -f: %q", got)
	}
}

func TestEnvelopeSender(t *testing.T) {
	const sec, hdr = "sec@example.com", "hdr@example.com"
	tests := []struct {
		name   string
		o      Options
		hdr    string
		locked bool
		want   string
	}{
		{"section's address by default", Options{}, hdr, false, sec},
		{"-f wins", Options{Sender: "f@example.com"}, hdr, false, "f@example.com"},
		{"-f wins when locked", Options{Sender: "f@example.com"}, hdr, true, "f@example.com"},
		{"-f <> is the null sender", Options{NullSender: true, ReadEnvelopeFrom: true}, hdr, true, ""},
		{"--read-envelope-from takes From", Options{ReadEnvelopeFrom: true}, hdr, false, hdr},
		{"--read-envelope-from without From", Options{ReadEnvelopeFrom: true}, "", false, sec},
		{"locked takes From", Options{}, hdr, true, hdr},
		{"locked without From: section's (empty when locked)", Options{}, "", true, sec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.EnvelopeSender(sec, tt.hdr, tt.locked); got != tt.want {
				t.Errorf("EnvelopeSender = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFromField(t *testing.T) {
	sec := message.Address{Name: "Work", Email: "me@example.com"}
	tests := []struct {
		name   string
		o      Options
		sender string
		want   message.Address
	}{
		{"section's name and address", Options{}, "me@example.com", sec},
		{"case-insensitive match keeps the name", Options{}, "ME@example.com", message.Address{Name: "Work", Email: "ME@example.com"}},
		{"-F name", Options{FullName: "Cron Daemon"}, "me@example.com", message.Address{Name: "Cron Daemon", Email: "me@example.com"}},
		{"other sender gets no section name", Options{}, "other@example.com", message.Address{Email: "other@example.com"}},
		{"null sender: the section's address", Options{}, "", sec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.FromField(sec, tt.sender); got != tt.want {
				t.Errorf("FromField = %+v, want %+v", got, tt.want)
			}
		})
	}
	if got := (&Options{}).FromField(message.Address{}, ""); got.Email != "" {
		t.Errorf("nothing known: %+v, want no address", got)
	}
}

func TestAddField(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Subject: x\n\nbody\n", "From: a@b\nSubject: x\n\nbody\n"},
		{"Subject: x\r\n\r\nbody\r\n", "From: a@b\r\nSubject: x\r\n\r\nbody\r\n"},
		{"", "From: a@b\n"},
		{"\nbody", "From: a@b\n\nbody"},
	} {
		if got := string(AddField([]byte(tt.in), "From", "a@b")); got != tt.want {
			t.Errorf("AddField(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSectionByEmail(t *testing.T) {
	p := profile.New("p", nil)
	for _, s := range []struct{ name, kind, email string }{
		{"store", profile.KindStore, "me@example.com"},
		{"work", profile.KindTransport, "Me@Example.com"},
		{"work2", profile.KindTransport, "me@example.com"},
		{"home", profile.KindTransport, "home@example.com"},
	} {
		tr := ""
		if s.kind == profile.KindTransport {
			tr = "maildir"
		}
		sec, err := p.AddSection(s.name, s.kind, tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := sec.SetProp(mapi.PrEmailAddress, s.email); err != nil {
			t.Fatal(err)
		}
	}
	for addr, want := range map[string]string{"me@example.com": "work", "HOME@example.com": "home", "x@example.com": "", "": ""} {
		if got := SectionByEmail(p, addr); got != want {
			t.Errorf("SectionByEmail(%q) = %q, want %q", addr, got, want)
		}
	}
}
