package message

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// BenchmarkCompose composes a typical notification: a UTF-8 subject, two
// recipients, a 2 KiB text body, an HTML alternative and a 16 KiB attachment.
func BenchmarkCompose(b *testing.B) {
	body := strings.Repeat("Build 1.4.2 passed on all targets. ✓\n", 55)
	d := &Draft{
		From:        Address{Name: "CI Bot", Email: "ci@example.com"},
		To:          []Address{{Email: "release@example.org"}, {Name: "Zoë", Email: "zoe@example.org"}},
		Subject:     "v1.4.2 released ✓",
		Text:        body,
		HTML:        "<p>" + body + "</p>",
		Attachments: []Attachment{{Filename: "report.txt", Data: bytes.Repeat([]byte("x"), 16<<10)}},
		Date:        time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	b.ReportAllocs()
	for b.Loop() {
		msg, id, err := Compose(d)
		if err != nil || id == "" || !bytes.Contains(msg, []byte("Subject: ")) {
			b.Fatalf("compose: %v", err)
		}
	}
}

// BenchmarkComposePlain composes the smallest message: one recipient, an
// ASCII subject and a one-line body.
func BenchmarkComposePlain(b *testing.B) {
	d := &Draft{From: Address{Email: "ci@example.com"}, To: []Address{{Email: "a@example.org"}},
		Subject: "x", Text: "y"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Compose(d); err != nil {
			b.Fatal(err)
		}
	}
}
