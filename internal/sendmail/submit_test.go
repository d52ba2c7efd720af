package sendmail

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

var now = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func parse(t *testing.T, args ...string) *Options {
	t.Helper()
	o, err := Parse("sendmail", args)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Read stops at a lone dot unless -i, and learns the From address.
func TestRead(t *testing.T) {
	in := "From: Dana <dana@x.example>\nTo: a@x.example\n\nhi\n.\nafter\n"
	m, err := parse(t, "a@x.example").Read(strings.NewReader(in), now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(m.Raw), "after") || m.From.Email != "dana@x.example" || m.Header.Get("To") != "a@x.example" {
		t.Fatalf("%q %+v", m.Raw, m.From)
	}
	m, err = parse(t, "-i", "a@x.example").Read(strings.NewReader("Subject: s\n\nhi\n.\nafter\n"), now)
	if err != nil || !strings.Contains(string(m.Raw), "after") || m.From.Email != "" {
		t.Fatalf("-i: %q %+v %v", m.Raw, m.From, err)
	}
	if _, err := parse(t, "a@x").Read(strings.NewReader("Subject: a\x00b\n\nhi\n"), now); !mapi.IsCode(err, mapi.CorruptData) {
		t.Fatalf("malformed: %v", err)
	}
}

// Text without a header, or without the empty line after it, is accepted
// as Postfix accepts it (cron, "echo ... | sendmail root"): the header ends
// at the first line that is not a field, and the empty line is inserted.
func TestPayloadHeaderless(t *testing.T) {
	section := message.Address{Email: "me@corp.example"}
	for _, tc := range []struct{ in, subject, body string }{
		{"disk at 91%\n", "", "disk at 91%\n"},
		{"Subject: alert\ndisk at 91%\n", "alert", "disk at 91%\n"},
		{"Subject: alert\nthe disk: full\nBcc: no@x.example\n", "alert", ""},
	} {
		o := parse(t, "-t", "ops@example.org")
		m, err := o.Read(strings.NewReader(tc.in), now)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		p, _, err := o.Payload(m, section, "me@corp.example", now)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		head, body, ok := strings.Cut(string(p.Message), "\n\n")
		if tc.body == "" {
			tc.body = strings.SplitN(tc.in, "\n", 2)[1]
		}
		if !ok || body != tc.body || !strings.HasPrefix(head, "From: <me@corp.example>\n") ||
			!strings.Contains(head, "\nDate: ") || !strings.Contains(head, "\nMessage-ID: ") ||
			m.Header.Get("Subject") != tc.subject || !reflect.DeepEqual(p.To, []string{"ops@example.org"}) {
			t.Errorf("%q: payload to %v:\n%s", tc.in, p.To, p.Message)
		}
	}
}

// Payload adds a From field only when missing, with the sender's address
// and -F's name, takes the Message-ID's domain from the section, else the
// sender, and strips Bcc.
func TestPayload(t *testing.T) {
	section := message.Address{Name: "Me", Email: "me@corp.example"}
	o := parse(t, "-t", "-F", "Ops", "-N", "failure")
	m, err := o.Read(strings.NewReader("To: a@x.example\nBcc: b@x.example\nSubject: s\n\nhi\n"), now)
	if err != nil {
		t.Fatal(err)
	}
	p, id, err := o.Payload(m, section, "ops@corp.example", now)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(p.Message)
	if !strings.HasPrefix(msg, "From: \"Ops\" <ops@corp.example>\n") && !strings.HasPrefix(msg, "From: Ops <ops@corp.example>\n") {
		t.Fatalf("From field:\n%s", msg)
	}
	if strings.Contains(msg, "Bcc") || !strings.HasSuffix(id, "@corp.example>") || p.From != "ops@corp.example" ||
		!reflect.DeepEqual(p.To, []string{"a@x.example", "b@x.example"}) || !reflect.DeepEqual(p.DSNNotify, o.DSNNotify) || len(p.DSNNotify) == 0 {
		t.Fatalf("payload %+v, id %q\n%s", p, id, msg)
	}

	// Locked: no section address; the sender's domain names the Message-ID.
	o = parse(t, "r@x.example")
	m, _ = o.Read(strings.NewReader("From: a@y.example\nSubject: s\n\nhi\n"), now)
	p, id, err = o.Payload(m, message.Address{}, "a@y.example", now)
	if err != nil || !strings.HasSuffix(id, "@y.example>") || !strings.HasPrefix(string(p.Message), "From: a@y.example") {
		t.Fatalf("locked: %v %q\n%s", err, id, p.Message)
	}
	// No recipient at all: 64.
	o = parse(t, "-t")
	m, _ = o.Read(strings.NewReader("Subject: s\n\nhi\n"), now)
	if _, _, err := o.Payload(m, section, "", now); !mapi.IsCode(err, mapi.InvalidParameter) {
		t.Fatalf("no recipient: %v", err)
	}
}

// Queued: everything that leaves the message queued is a warning and exit
// 0 (a signal, spool.Interrupted, is held by cmd/mapictl's signal tests);
// a delivered or failed message is not Queued's.
func TestQueued(t *testing.T) {
	tried := func(st string, err error) delivery.Receipt {
		return delivery.Receipt{ID: "q1", Tried: true, Outcome: spool.Outcome{State: st, Err: err}}
	}
	for _, tc := range []struct {
		name    string
		r       delivery.Receipt
		locked  bool
		queued  bool
		warning string
	}{
		{"locked", delivery.Receipt{ID: "q1"}, true, true, "message <m> queued as q1: the profile cannot be opened without a passphrase"},
		{"flush could not run", delivery.Receipt{ID: "q1", FlushErr: mapi.Errorf(mapi.Busy, "spool busy")}, false, true,
			"message <m> queued as q1: spool busy"},
		{"held by another flush", delivery.Receipt{ID: "q1", Tried: true, Outcome: spool.Outcome{Skipped: true}}, false, true,
			"queued as q1 for a retry (another flush holds it); 'mapictl spool flush' sends it"},
		{"temporary failure", tried(spool.StateQueued, &transport.Error{Kind: transport.KindTemporary, Message: "421 busy"}), false, true,
			"queued as q1 for a retry (delivery failed: "},
		{"sent", tried("sent", nil), false, false, ""},
		{"failed", tried(spool.StateFailed, errors.New("x")), false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			queued, w, err := Queued(tc.r, "<m>", tc.locked)
			if queued != tc.queued || !strings.Contains(w, tc.warning) || (tc.warning == "") != (w == "") || err != nil {
				t.Fatalf("got %v %q %v", queued, w, err)
			}
		})
	}
}

func TestMAPIError(t *testing.T) {
	_, err := Parse("mailq", []string{"-X"})
	e := mapi.AsError(MAPIError("mailq", err))
	if e.Code != mapi.InvalidParameter || !strings.HasPrefix(e.Msg, "mailq: ") || len(e.Hints) != 1 {
		t.Fatalf("usage error: %+v", e)
	}
	other := errors.New("other")
	if MAPIError("sendmail", other) != other {
		t.Fatal("another error changed")
	}
}
