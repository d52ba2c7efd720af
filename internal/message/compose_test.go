package message

import (
	"bytes"
	"mime"
	"strings"
	"testing"
	"time"
)

const subjectUTF8 = "Grüße — 東京"

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")

func baseDraft() *Draft {
	return &Draft{
		From:    Address{"Jörg Ärger", "joerg@example.com"},
		To:      []Address{{"Li, Dana", "dana@example.org"}, {"", "sam@example.net"}},
		Cc:      []Address{{"Chef", "chef@example.org"}},
		Bcc:     []Address{{"Hidden", "hidden@example.org"}},
		Subject: subjectUTF8,
		Text:    "Hallo,\nwie geht's?\n",
		Date:    time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}
}

func TestCompose(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *Draft)
		ctype string // top-level media type
		parts []part // ctype, disp, filename, body (decoded)
	}{
		{"text only ascii", func(d *Draft) { d.Text = "plain ascii\n" }, "text/plain",
			[]part{{ctype: "text/plain", body: []byte("plain ascii\r\n")}}},
		{"text only non-ascii", func(d *Draft) { d.Text = "Grüße\n.\nEnde" }, "text/plain",
			[]part{{ctype: "text/plain", body: []byte("Grüße\r\n.\r\nEnde")}}},
		{"html alternative", func(d *Draft) { d.HTML = "<p>Grüße</p>" }, "multipart/alternative",
			[]part{{ctype: "text/plain", disp: "inline", body: []byte("Hallo,\r\nwie geht's?\r\n")},
				{ctype: "text/html", disp: "inline", body: []byte("<p>Grüße</p>")}}},
		{"html only", func(d *Draft) { d.Text, d.HTML = "", "<b>x</b>" }, "text/html",
			[]part{{ctype: "text/html", body: []byte("<b>x</b>")}}},
		{"attachments", func(d *Draft) {
			d.Attachments = []Attachment{
				{Filename: "/tmp/Bericht März.pdf", Data: []byte("%PDF-1.7 not really")},
				{Filename: "picture", Data: pngBytes},
				{Filename: "blob.zzunknown", Data: []byte{0, 1, 2, 3, 0xff}},
			}
		}, "multipart/mixed", []part{
			{ctype: "text/plain", disp: "inline", body: []byte("Hallo,\r\nwie geht's?\r\n")},
			{ctype: "application/pdf", disp: "attachment", filename: "Bericht März.pdf", body: []byte("%PDF-1.7 not really")},
			{ctype: "image/png", disp: "attachment", filename: "picture", body: pngBytes},
			{ctype: "application/octet-stream", disp: "attachment", filename: "blob.zzunknown", body: []byte{0, 1, 2, 3, 0xff}},
		}},
		{"html and attachment", func(d *Draft) {
			d.HTML = "<i>hi</i>"
			d.Attachments = []Attachment{{Filename: "a.bin", ContentType: "application/x-thing", Data: []byte("xyz")}}
		}, "multipart/mixed", []part{
			{ctype: "text/plain", disp: "inline", body: []byte("Hallo,\r\nwie geht's?\r\n")},
			{ctype: "text/html", disp: "inline", body: []byte("<i>hi</i>")},
			{ctype: "application/x-thing", disp: "attachment", filename: "a.bin", body: []byte("xyz")},
		}},
		{"forwarded message", func(d *Draft) {
			d.Attachments = []Attachment{{Filename: "fwd.eml", ContentType: "message/rfc822", Data: []byte("Subject: old\n\nold body\n")}}
		}, "multipart/mixed", []part{
			{ctype: "text/plain", disp: "inline", body: []byte("Hallo,\r\nwie geht's?\r\n")},
			{ctype: "message/rfc822", disp: "attachment", filename: "fwd.eml", body: []byte("Subject: old\r\n\r\nold body\r\n")},
		}},
		{"attachment without text", func(d *Draft) {
			d.Text = ""
			d.Attachments = []Attachment{{Filename: "n.txt", Data: []byte("note")}}
		}, "multipart/mixed", []part{
			{ctype: "text/plain", disp: "attachment", filename: "n.txt", body: []byte("note")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := baseDraft()
			tt.edit(d)
			msg, id, err := Compose(d)
			if err != nil {
				t.Fatal(err)
			}
			checkWire(t, msg)
			checkHeaders(t, msg, id)
			if len(d.Attachments) > 0 && d.Attachments[0].Filename == "/tmp/Bericht März.pdf" &&
				!bytes.Contains(msg, []byte("filename*=utf-8''Bericht%20M%C3%A4rz.pdf")) {
				t.Errorf("filename is not RFC 2231 encoded:\n%s", msg)
			}
			h, parts := readMail(t, msg)
			if ct, _, _ := h.ContentType(); ct != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", ct, tt.ctype)
			}
			if len(parts) != len(tt.parts) {
				t.Fatalf("%d parts, want %d", len(parts), len(tt.parts))
			}
			for i, want := range tt.parts {
				got := parts[i]
				if got.ctype != want.ctype || got.disp != want.disp || got.filename != want.filename || !bytes.Equal(got.body, want.body) {
					t.Errorf("part %d = %s %q %q %q, want %s %q %q %q", i, got.ctype, got.disp, got.filename, got.body,
						want.ctype, want.disp, want.filename, want.body)
				}
			}
		})
	}
}

// checkHeaders checks the top-level header with net/mail and go-message.
func checkHeaders(t *testing.T, msg []byte, id string) {
	t.Helper()
	std := readStd(t, msg)
	if std.Header.Get("Bcc") != "" || bytes.Contains(msg, []byte("hidden@example.org")) {
		t.Error("Bcc leaked into the message")
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(std.Header.Get("Subject"))
	if err != nil || subj != subjectUTF8 {
		t.Errorf("Subject = %q (%v), want %q", subj, err, subjectUTF8)
	}
	if raw := std.Header.Get("Subject"); raw == subjectUTF8 {
		t.Error("Subject is not RFC 2047 encoded")
	}
	from, err := std.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Jörg Ärger" || from[0].Address != "joerg@example.com" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := std.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Li, Dana" || to[1].Address != "sam@example.net" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if cc, err := std.Header.AddressList("Cc"); err != nil || len(cc) != 1 || cc[0].Address != "chef@example.org" {
		t.Errorf("Cc = %v (%v)", cc, err)
	}
	if d, err := std.Header.Date(); err != nil || !d.Equal(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)) {
		t.Errorf("Date = %v (%v)", d, err)
	}
	if std.Header.Get("Message-Id") != id || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-Id = %q, returned %q", std.Header.Get("Message-Id"), id)
	}
	if std.Header.Get("Mime-Version") != "1.0" {
		t.Errorf("MIME-Version = %q", std.Header.Get("Mime-Version"))
	}
	gh, _ := readMail(t, msg)
	if s, err := gh.Subject(); err != nil || s != subjectUTF8 {
		t.Errorf("go-message Subject = %q (%v)", s, err)
	}
	if l, err := gh.AddressList("To"); err != nil || len(l) != 2 || l[0].Name != "Li, Dana" {
		t.Errorf("go-message To = %v (%v)", l, err)
	}
}

func TestComposeHeaders(t *testing.T) {
	d := baseDraft()
	d.MessageIDDomain = "mx.example.net"
	d.Headers = []Header{
		{"X-Mailer-Note", "héllo wörld"},
		{"Reply-To", `"Li, Dana" <dana@example.org>, Jörg <j@example.com>`},
		{"X-Tag", "one"}, {"X-Tag", "two"},
		{"Subject", "override"},
	}
	msg, id, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	std := readStd(t, msg)
	if !strings.HasSuffix(id, "@mx.example.net>") {
		t.Errorf("Message-ID %q does not use MessageIDDomain", id)
	}
	if v, _ := new(mime.WordDecoder).DecodeHeader(std.Header.Get("X-Mailer-Note")); v != "héllo wörld" {
		t.Errorf("X-Mailer-Note = %q", v)
	}
	rt, err := std.Header.AddressList("Reply-To")
	if err != nil || len(rt) != 2 || rt[0].Name != "Li, Dana" || rt[1].Name != "Jörg" {
		t.Errorf("Reply-To = %v (%v)", rt, err)
	}
	if got := std.Header["X-Tag"]; len(got) != 2 {
		t.Errorf("X-Tag = %q, want two fields", got)
	}
	if got := std.Header["Subject"]; len(got) != 1 || got[0] != "override" {
		t.Errorf("Subject = %q, want the override only", got)
	}

	d = baseDraft()
	d.Headers = []Header{{"Message-ID", "<fixed@example.com>"}}
	msg, id, err = Compose(d)
	if err != nil || id != "<fixed@example.com>" || readStd(t, msg).Header.Get("Message-Id") != id {
		t.Errorf("Message-ID override: id %q, err %v", id, err)
	}
}

func TestComposeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *Draft)
		want error
	}{
		{"subject LF", func(d *Draft) { d.Subject = "hi\nBcc: evil@x" }, ErrInvalidHeader},
		{"subject CR", func(d *Draft) { d.Subject = "hi\rthere" }, ErrInvalidHeader},
		{"subject NUL", func(d *Draft) { d.Subject = "hi\x00" }, ErrInvalidHeader},
		{"header value CRLF", func(d *Draft) { d.Headers = []Header{{"X-A", "a\r\nBcc: e@x"}} }, ErrInvalidHeader},
		{"header name space", func(d *Draft) { d.Headers = []Header{{"X A", "a"}} }, ErrInvalidHeader},
		{"header Bcc", func(d *Draft) { d.Headers = []Header{{"bcc", "e@x"}} }, ErrInvalidHeader},
		{"header content-type", func(d *Draft) { d.Headers = []Header{{"Content-Type", "text/html"}} }, ErrInvalidHeader},
		{"header bad reply-to", func(d *Draft) { d.Headers = []Header{{"Reply-To", "not an address"}} }, ErrInvalidHeader},
		{"header bad date", func(d *Draft) { d.Headers = []Header{{"Date", "yesterday"}} }, ErrInvalidHeader},
		{"header bad message-id", func(d *Draft) { d.Headers = []Header{{"Message-Id", "no-brackets"}} }, ErrInvalidHeader},
		{"to name LF", func(d *Draft) { d.To = []Address{{"A\nBcc: e@x", "a@x"}} }, ErrInvalidAddress},
		{"cc email CR", func(d *Draft) { d.Cc = []Address{{"", "a@x\r"}} }, ErrInvalidAddress},
		{"bcc malformed", func(d *Draft) { d.Bcc = []Address{{"", "no-at"}} }, ErrInvalidAddress},
		{"from missing", func(d *Draft) { d.From = Address{} }, ErrInvalidAddress},
		{"no recipients", func(d *Draft) { d.To, d.Cc, d.Bcc = nil, nil, nil }, ErrNoRecipients},
		{"bad id domain", func(d *Draft) { d.MessageIDDomain = "exa mple.com" }, ErrInvalidHeader},
		{"bad content type", func(d *Draft) { d.Attachments = []Attachment{{ContentType: "not a type/"}} }, ErrInvalidHeader},
		{"multipart attachment", func(d *Draft) { d.Attachments = []Attachment{{ContentType: "multipart/mixed"}} }, ErrInvalidHeader},
		{"filename LF", func(d *Draft) { d.Attachments = []Attachment{{Filename: "a\nb"}} }, ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := baseDraft()
			tt.edit(d)
			msg, id, err := Compose(d)
			wantErr(t, err, tt.want)
			if msg != nil || id != "" {
				t.Error("output returned with an error")
			}
			if err != nil && strings.Contains(err.Error(), "evil") {
				t.Errorf("error repeats the value: %v", err)
			}
		})
	}
}

func TestComposeBccOnly(t *testing.T) {
	d := baseDraft()
	d.To, d.Cc = nil, nil
	msg, _, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	h := readStd(t, msg).Header
	if h.Get("To") != "" || h.Get("Cc") != "" || h.Get("Bcc") != "" {
		t.Errorf("unexpected recipients in header: %v", h)
	}
	if got := d.Recipients(); len(got) != 1 || got[0] != "hidden@example.org" {
		t.Errorf("Recipients = %q", got)
	}
}

func TestComposeLongText(t *testing.T) {
	d := baseDraft()
	d.Text = strings.Repeat("x", 3000) + "\n" + strings.Repeat("lorem ipsum ", 200)
	d.Subject = strings.TrimSpace(strings.Repeat("lang ", 300))
	d.Headers = []Header{{"X-Long", strings.Repeat("w", 990)}}
	msg, _, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, msg)
	m := readStd(t, msg)
	if s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); s != d.Subject {
		t.Errorf("long subject did not survive folding")
	}
	if m.Header.Get("X-Long") != strings.Repeat("w", 990) {
		t.Errorf("998-byte header line changed")
	}
	_, parts := readMail(t, msg)
	if string(parts[0].body) != strings.ReplaceAll(d.Text, "\n", "\r\n") {
		t.Errorf("long body changed")
	}
}
