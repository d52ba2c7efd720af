package message

import (
	"bytes"
	"strings"
	"testing"
)

func TestDetectContentType(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"report.pdf", []byte("whatever"), "application/pdf"},
		{"REPORT.PNG", []byte("whatever"), "image/png"},
		{"picture", pngBytes, "image/png"},
		{"doc", []byte("%PDF-1.4\n"), "application/pdf"},
		{"blob.zzunknown", []byte{0, 1, 2, 0xfe}, "application/octet-stream"},
		{"", nil, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		if got := DetectContentType(tt.name, tt.data); got != tt.want {
			t.Errorf("DetectContentType(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAttachmentHeader(t *testing.T) {
	tests := []struct {
		name     string
		a        Attachment
		ctype    string
		cte      string // "" = CreateAttachment's default, base64
		filename string
		data     string
	}{
		{"dirs dropped", Attachment{Filename: `C:\tmp\dir/x.pdf`, Data: []byte("d")}, "application/pdf", "", "x.pdf", "d"},
		{"utf-16 text falls back", Attachment{Filename: "u", Data: []byte("\xfe\xff\x00a")}, "application/octet-stream", "", "u", "\xfe\xff\x00a"},
		{"rfc822 as 7bit CRLF", Attachment{Filename: "m", ContentType: "message/rfc822", Data: []byte("Subject: x\n\nhi\n")},
			"message/rfc822", "7bit", "m", "Subject: x\r\n\r\nhi\r\n"},
		{"rfc822 8bit", Attachment{ContentType: "message/rfc822", Data: []byte("Subject: ä\r\n\r\n")}, "message/rfc822", "8bit", "", "Subject: ä\r\n\r\n"},
		{"rfc822 with NUL", Attachment{ContentType: "message/rfc822", Data: []byte("a\x00")}, "application/octet-stream", "", "", "a\x00"},
		{"rfc822 long line", Attachment{ContentType: "message/rfc822", Data: bytes.Repeat([]byte("x"), 999)},
			"application/octet-stream", "", "", strings.Repeat("x", 999)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, data, err := attachmentHeader(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			ct, _, _ := h.ContentType()
			fn, _ := h.Filename()
			if ct != tt.ctype || h.Get("Content-Transfer-Encoding") != tt.cte || fn != tt.filename || string(data) != tt.data {
				t.Errorf("got %q %q %q %.40q, want %q %q %q %.40q", ct, h.Get("Content-Transfer-Encoding"), fn, data,
					tt.ctype, tt.cte, tt.filename, tt.data)
			}
		})
	}
}

func TestTextPart(t *testing.T) {
	tests := []struct {
		in, body, cte string
	}{
		{"a\nb\r\nc\rd", "a\r\nb\r\nc\r\nd", "7bit"},
		{"tab\tand trailing  \n", "tab\tand trailing  \r\n", "7bit"},
		{"ümlaut", "ümlaut", "quoted-printable"},
		{"bell\a", "bell\a", "quoted-printable"},
		{strings.Repeat("x", 998), strings.Repeat("x", 998), "7bit"},
		{strings.Repeat("x", 999), strings.Repeat("x", 999), "quoted-printable"},
	}
	for _, tt := range tests {
		p := newTextPart("plain", tt.in)
		if p.body != tt.body || p.cte != tt.cte || p.ctype != "text/plain; charset=utf-8" {
			t.Errorf("newTextPart(%.20q) = %.20q %q %q, want %.20q %q", tt.in, p.body, p.cte, p.ctype, tt.body, tt.cte)
		}
	}
}
