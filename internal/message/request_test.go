package message

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Request.Compose, the composition of message send's flags: files and
// stdin, the sender check before composing, and the exit of each error.
func TestRequestCompose(t *testing.T) {
	dir := t.TempDir()
	body := filepath.Join(dir, "body.txt")
	if err := os.WriteFile(body, []byte("from a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := filepath.Join(dir, "m.eml")
	if err := os.WriteFile(raw, []byte("From: me@example.com\nTo: a@x.example\nBcc: b@x.example\nSubject: s\n\nhi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	from := Address{Name: "Me", Email: "me@example.com"}
	date := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

	var seen []string
	r := &Request{From: from, To: []string{`"Li, Dana" <d@x.example>`}, Subject: "hi", TextFile: body,
		Attach: []string{"-"}, Headers: []string{"X-Tag: 1"}, Date: date, Stdin: strings.NewReader("attached"),
		CheckSenders: func(h gomail.Header) error { seen = append(seen, h.Get("X-Tag")); return nil }}
	c, err := r.Compose()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.To, []string{"d@x.example"}) || c.MessageID == "" || !reflect.DeepEqual(seen, []string{"1"}) {
		t.Fatalf("to %q, id %q, checked %q", c.To, c.MessageID, seen)
	}
	if _, parts := readMail(t, c.Msg); len(parts) != 2 || string(parts[0].body) != "from a file" || string(parts[1].body) != "attached" {
		t.Fatalf("parts %+v", parts)
	}

	// Raw: recipients from the header when no flag names any, Bcc stripped.
	c, err = (&Request{From: from, Raw: raw, Date: date}).Compose()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.To, []string{"a@x.example", "b@x.example"}) || strings.Contains(string(c.Msg), "Bcc") {
		t.Fatalf("raw: to %q\n%s", c.To, c.Msg)
	}
	c, err = (&Request{From: from, Raw: raw, Cc: []string{"c@x.example"}, Date: date}).Compose()
	if err != nil || !reflect.DeepEqual(c.To, []string{"c@x.example"}) {
		t.Fatalf("raw with --cc: %v %v", c, err)
	}

	refused := mapi.Errorf(mapi.InvalidParameter, "refused")
	for _, tc := range []struct {
		name string
		r    *Request
		code mapi.Code
		msg  string
	}{
		{"bad --cc", &Request{Cc: []string{"not an address"}}, mapi.InvalidParameter, "--cc: invalid address"},
		{"missing file", &Request{To: []string{"a@x"}, HTMLFile: filepath.Join(dir, "nope")}, mapi.NotFound, "does not exist"},
		{"bad header", &Request{To: []string{"a@x"}, Headers: []string{"Bcc: x@y"}}, mapi.InvalidParameter, "invalid header"},
		{"sender refused", &Request{To: []string{"a@x"}, CheckSenders: func(gomail.Header) error { return refused }},
			mapi.InvalidParameter, "refused"},
		{"raw malformed", &Request{Raw: "-", Stdin: strings.NewReader("no header line\n")}, mapi.CorruptData, ""},
		{"raw without recipients", &Request{Raw: "-", Stdin: strings.NewReader("Subject: x\n\nhi\n")},
			mapi.InvalidParameter, "the message names no recipient"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.From, tc.r.Date = from, date
			_, err := tc.r.Compose()
			var me *mapi.Error
			if !errors.As(err, &me) || me.Code != tc.code || !strings.Contains(me.Msg, tc.msg) {
				t.Fatalf("got %v, want %s with %q", err, tc.code.Name, tc.msg)
			}
		})
	}
}

func TestMAPIError(t *testing.T) {
	if e := MAPIError(ErrMalformed); !mapi.IsCode(e, mapi.CorruptData) {
		t.Fatalf("malformed: %v", e)
	}
	if e := MAPIError(addressErr("x")); !mapi.IsCode(e, mapi.InvalidParameter) || e.Error() != "invalid address: x" {
		t.Fatalf("address: %v", e)
	}
	own := mapi.Errorf(mapi.NotFound, "gone")
	if e := MAPIError(own); e != error(own) {
		t.Fatalf("a *mapi.Error changed: %v", e)
	}
}
