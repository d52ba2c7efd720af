package message

import (
	"bytes"
	"errors"
	"io"
	"net/mail"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"
)

// part is one leaf of a composed message, body decoded.
type part struct {
	ctype, disp, filename string
	body                  []byte
}

// readMail parses msg with go-message's mail.Reader and returns its header
// and leaf parts.
func readMail(t *testing.T, msg []byte) (gomail.Header, []part) {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("go-message cannot read the message: %v\n%s", err, msg)
	}
	var parts []part
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		var x part
		x.body = body
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			x.ctype, _, _ = h.ContentType()
			x.disp, _, _ = h.ContentDisposition()
		case *gomail.AttachmentHeader:
			x.ctype, _, _ = h.ContentType()
			x.disp, _, _ = h.ContentDisposition()
			x.filename, _ = h.Filename()
		}
		parts = append(parts, x)
	}
	return r.Header, parts
}

// readStd parses msg with net/mail.
func readStd(t *testing.T, msg []byte) *mail.Message {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	return m
}

// checkWire asserts CRLF line endings and lines of at most 998 bytes.
func checkWire(t *testing.T, msg []byte) {
	t.Helper()
	for i, l := range strings.Split(string(msg), "\n") {
		if i < strings.Count(string(msg), "\n") && !strings.HasSuffix(l, "\r") {
			t.Fatalf("line %d does not end in CRLF: %q", i+1, l)
		}
		if len(strings.TrimSuffix(l, "\r")) > 998 {
			t.Fatalf("line %d is %d bytes long", i+1, len(l))
		}
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if want == nil && err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}
