package message

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// controls are CR, LF and NUL alone and together, in every position, as a
// header value or address could carry them (issue 24 point 10: only "\r\n"
// was tested, so a check that let a lone CR through failed no test).
var controls = []string{"\r", "\n", "\x00", "\r\n", "\n\r", "\r\r", "\r\x00", "a\rb", "a\nb", "a\x00b",
	"a\r\nb", "a\r", "\rb", "a\n", "\nb", "a\x00", "\x00b", "a\rBcc: e@x", "a\nBcc: e@x", "a\r\nBcc: e@x"}

// TestControlsRefusedEverywhere: every header value, header name, subject,
// address and display name holding a CR, LF or NUL is refused by the
// function that takes it, with the error callers map to 64.
func TestControlsRefusedEverywhere(t *testing.T) {
	type check struct {
		name string
		run  func(v string) error
		want error
	}
	compose := func(edit func(d *Draft)) func(string) error {
		return func(string) error {
			d := baseDraft()
			edit(d)
			msg, id, err := Compose(d)
			if err != nil && (msg != nil || id != "") {
				return errors.New("output with an error")
			}
			return err
		}
	}
	var checks []check
	add := func(name string, want error, run func(v string) error) {
		checks = append(checks, check{name, run, want})
	}
	add("ParseHeader value", ErrInvalidHeader, func(v string) error { _, err := ParseHeader("X-Test: " + v); return err })
	add("ParseHeader value inside", ErrInvalidHeader, func(v string) error { _, err := ParseHeader("X-Test: x" + v + "y"); return err })
	add("ParseHeader name", ErrInvalidHeader, func(v string) error { _, err := ParseHeader("X" + v + "T: y"); return err })
	add("Header.Validate value", ErrInvalidHeader, func(v string) error { return Header{"X-Test", v}.Validate() })
	add("Header.Validate name", ErrInvalidHeader, func(v string) error { return Header{"X" + v, "y"}.Validate() })
	add("ParseAddress email", ErrInvalidAddress, func(v string) error { _, err := ParseAddress("d" + v + "@example.com"); return err })
	add("ParseAddress bracketed", ErrInvalidAddress, func(v string) error { _, err := ParseAddress("Dana <d@example.com" + v + ">"); return err })
	add("ParseAddress name", ErrInvalidAddress, func(v string) error { _, err := ParseAddress("Da" + v + "na <d@example.com>"); return err })
	add("ParseAddress quoted name", ErrInvalidAddress, func(v string) error { _, err := ParseAddress(`"Da` + v + `na" <d@example.com>`); return err })
	add("ParseAddressList", ErrInvalidAddress, func(v string) error { _, err := ParseAddressList("a@example.com, b" + v + "@example.com"); return err })
	add("ForeignSenders From", ErrInvalidAddress, func(v string) error {
		_, err := ForeignSenders(HeaderFields([]Header{{"From", "me" + v + "@example.com"}}), "me@example.com")
		return err
	})
	for _, tc := range []struct {
		name string
		edit func(d *Draft, v string)
		want error
	}{
		{"Compose subject", func(d *Draft, v string) { d.Subject = v }, ErrInvalidHeader},
		{"Compose subject inside", func(d *Draft, v string) { d.Subject = "hi " + v + " there" }, ErrInvalidHeader},
		{"Compose extra header", func(d *Draft, v string) { d.Headers = []Header{{"X-Test", v}} }, ErrInvalidHeader},
		{"Compose extra header name", func(d *Draft, v string) { d.Headers = []Header{{"X-T" + v, "y"}} }, ErrInvalidHeader},
		{"Compose extra From", func(d *Draft, v string) { d.Headers = []Header{{"From", "me" + v + "@example.com"}} }, ErrInvalidHeader},
		{"Compose extra Reply-To name", func(d *Draft, v string) { d.Headers = []Header{{"Reply-To", "R" + v + " <r@example.com>"}} }, ErrInvalidHeader},
		{"Compose from name", func(d *Draft, v string) { d.From.Name = "Me" + v }, ErrInvalidAddress},
		{"Compose from email", func(d *Draft, v string) { d.From.Email = "me" + v + "@example.com" }, ErrInvalidAddress},
		{"Compose to name", func(d *Draft, v string) { d.To = []Address{{v, "a@example.com"}} }, ErrInvalidAddress},
		{"Compose to email", func(d *Draft, v string) { d.To = []Address{{"", "a@example.com" + v}} }, ErrInvalidAddress},
		{"Compose cc name", func(d *Draft, v string) { d.Cc = []Address{{"C" + v, "c@example.com"}} }, ErrInvalidAddress},
		{"Compose cc email", func(d *Draft, v string) { d.Cc = []Address{{"", v + "c@example.com"}} }, ErrInvalidAddress},
		{"Compose bcc name", func(d *Draft, v string) { d.Bcc = []Address{{"B" + v, "b@example.com"}} }, ErrInvalidAddress},
		{"Compose bcc email", func(d *Draft, v string) { d.Bcc = []Address{{"", "b" + v + "@example.com"}} }, ErrInvalidAddress},
		{"Compose attachment name", func(d *Draft, v string) { d.Attachments = []Attachment{{Filename: "f" + v + ".txt"}} }, ErrInvalidHeader},
	} {
		edit := tc.edit
		checks = append(checks, check{tc.name, func(v string) error {
			return compose(func(d *Draft) { edit(d, v) })(v)
		}, tc.want})
	}
	for _, c := range checks {
		for _, v := range controls {
			t.Run(c.name+"/"+strings.NewReplacer("\r", `\r`, "\n", `\n`, "\x00", `\0`).Replace(v), func(t *testing.T) {
				err := c.run(v)
				if !errors.Is(err, c.want) {
					t.Fatalf("error = %v, want %v", err, c.want)
				}
				if strings.Contains(err.Error(), "e@x") {
					t.Errorf("error repeats the value: %v", err)
				}
			})
		}
	}
}

// TestPrepareRefusesBareCR: a raw message (--raw, sendmail's stdin) whose
// header holds a CR without LF, or a NUL, is malformed (65): go-message
// drops the lone CR, so "X: a\rBcc: e@x" would reach a server that breaks
// lines at CR with a Bcc field StripBcc never saw.
func TestPrepareRefusesBareCR(t *testing.T) {
	for _, raw := range []string{
		"X-A: a\rBcc: e@x\r\nTo: t@x\r\n\r\nbody\r\n",
		"X-A: a\rb\n\nbody\n",
		"To: t@x\r\nX-A: a\r\r\n\r\nbody\r\n",
		"To: t@x\r\nSubject: \r\n\r\r\n\r\n",
		"To: t@x\r\n\rBcc: e@x\r\n\r\n",
		"To: t@x\r\nX-A: a\x00b\r\n\r\n",
		"To: t@x\r\nX-A: \x00\r\n\r\n",
	} {
		out, _, _, err := Prepare([]byte(raw), "example.com", now)
		if !errors.Is(err, ErrMalformed) || out != nil {
			t.Errorf("Prepare(%q) = %q, %v; want ErrMalformed", raw, out, err)
		}
	}
	// CRLF and LF line breaks, folding, a CR in the body and a last line
	// cut after its CR are fine
	for _, raw := range []string{
		"To: t@x\r\nSubject: a\r\n folded\r\n\r\nbody\rwith CR\r\n",
		"To: t@x\nSubject: a\n\tfolded\n\nbody\n",
		"Subject: x\r",
	} {
		if _, _, _, err := Prepare([]byte(raw), "example.com", now); err != nil {
			t.Errorf("Prepare(%q): %v", raw, err)
		}
	}
}

// TestForeignSenders: the sender fields that name another address than the
// section's, compared without case; Reply-To and To are not sender fields.
func TestForeignSenders(t *testing.T) {
	h := HeaderFields([]Header{
		{"From", "Me <ME@Example.com>, Boss <boss@example.com>"},
		{"Sender", "me@example.com"},
		{"Reply-To", "other@example.com"},
		{"To", "other@example.com"},
		{"resent-from", "r@example.com"},
		{"Resent-Sender", "s@example.com"},
	})
	got, err := ForeignSenders(h, "me@example.com")
	want := []ForeignSender{{"From", "boss@example.com"}, {"Resent-From", "r@example.com"}, {"Resent-Sender", "s@example.com"}}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ForeignSenders = %v, %v; want %v", got, err, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ForeignSenders[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if got, err := ForeignSenders(HeaderFields([]Header{{"From", "Me <me@example.com>"}}), "me@example.com"); err != nil || len(got) != 0 {
		t.Errorf("own address: %v, %v", got, err)
	}
	for _, v := range []string{"", "not an address", "<a@x"} {
		if _, err := ForeignSenders(HeaderFields([]Header{{"Sender", v}}), "me@example.com"); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("Sender %q: %v, want ErrInvalidAddress", v, err)
		}
	}
}

// FuzzHeaderValue: a header value (and name) that Validate or ParseHeader
// accepts holds no CR, LF or NUL, and the message Compose builds with it
// has CRLF line breaks only, no NUL, one field of that name and no Bcc
// field: nothing in the value starts a field of its own.
func FuzzHeaderValue(f *testing.F) {
	for _, s := range append([]string{"plain", "Grüße", "a: b", "=?utf-8?q?x?=", " \tspaced\t ", strings.Repeat("x", 990)}, controls...) {
		f.Add("X-Fuzz", s)
	}
	f.Add("X\rA", "v")
	f.Add("Bcc", "e@x")
	f.Fuzz(func(t *testing.T, key, value string) {
		if h, err := ParseHeader(key + ": " + value); err == nil && strings.ContainsAny(h.Key+h.Value, "\r\n\x00") {
			t.Fatalf("ParseHeader(%q) accepted %#v", key+": "+value, h)
		}
		h := Header{key, value}
		if err := h.Validate(); err != nil {
			if !errors.Is(err, ErrInvalidHeader) {
				t.Fatalf("Validate: %v does not wrap ErrInvalidHeader", err)
			}
			return
		}
		if strings.ContainsAny(key+value, "\r\n\x00") {
			t.Fatalf("Validate accepted %#v", h)
		}
		msg, _, err := Compose(&Draft{From: Address{Email: "me@example.com"}, To: []Address{{Email: "t@example.com"}},
			Subject: "s", Text: "body", Headers: []Header{h}, Date: now})
		if err != nil {
			return // an address field, Date or Message-ID that does not parse
		}
		hdr := split(msg).hdr
		if bytes.IndexByte(hdr, 0) >= 0 || bytes.Count(hdr, []byte("\r")) != bytes.Count(hdr, []byte("\r\n")) ||
			bytes.Count(hdr, []byte("\n")) != bytes.Count(hdr, []byte("\r\n")) {
			t.Fatalf("header of %#v has a bare CR or LF, or a NUL:\n%q", h, hdr)
		}
		_, ph, _, err := Prepare(msg, "example.com", now)
		if err != nil {
			t.Fatalf("Prepare of the composed message: %v\n%q", err, hdr)
		}
		if n := len(ph.Values(key)); n != 1 {
			t.Fatalf("%d %q fields in %q", n, key, hdr)
		}
		if ph.Has("Bcc") {
			t.Fatalf("Bcc field in %q", hdr)
		}
	})
}

// A field name too long for go-message's folding is refused, not a panic
// (FuzzHeaderValue's find; its input is in testdata/fuzz).
func TestLongHeaderName(t *testing.T) {
	for _, n := range []int{64, 65, 74, 200} {
		h := Header{strings.Repeat("X", n), "0"}
		err := h.Validate()
		if n <= 64 {
			if err != nil {
				t.Fatalf("%d-character name: %v", n, err)
			}
			if _, _, err := Compose(&Draft{From: Address{Email: "me@example.com"}, To: []Address{{Email: "t@example.com"}},
				Subject: "s", Text: "body", Headers: []Header{h}, Date: now}); err != nil {
				t.Fatalf("Compose with a %d-character name: %v", n, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidHeader) {
			t.Errorf("%d-character name: %v, want ErrInvalidHeader", n, err)
		}
	}
}
