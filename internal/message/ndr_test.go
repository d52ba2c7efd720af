package message

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// readReport parses an NDR and returns its top header and its parts.
func readReport(t *testing.T, msg []byte) (gomessage.Header, []*gomessage.Entity, [][]byte) {
	t.Helper()
	e, err := gomessage.Read(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	mr := e.MultipartReader()
	if mr == nil {
		t.Fatal("NDR is not multipart")
	}
	var parts []*gomessage.Entity
	var bodies [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		parts = append(parts, p)
		bodies = append(bodies, b)
	}
	return e.Header, parts, bodies
}

// statusBlocks parses a message/delivery-status body into its field blocks.
func statusBlocks(t *testing.T, body []byte) []textproto.Header {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(body))
	var blocks []textproto.Header
	for {
		if _, err := r.Peek(1); err != nil {
			return blocks
		}
		h, err := textproto.ReadHeader(r)
		if err != nil {
			t.Fatalf("delivery-status block %d: %v", len(blocks), err)
		}
		blocks = append(blocks, h)
	}
}

func TestNDR(t *testing.T) {
	original := []byte("From: me@example.com\r\nTo: a@x, b@y\r\nSubject: hi\r\nMessage-ID: <orig@example.com>\r\n\r\nsecret body\r\n")
	failures := []Failure{
		{Recipient: "a@x", SMTPCode: 550, EnhancedCode: "5.1.1", Reply: "5.1.1 <a@x>: mailbox\r\nunknown"},
		{Recipient: "Bee <b@y>", SMTPCode: 554, Reply: "transaction failed " + strings.Repeat("long ", 40)},
		{Recipient: "c@z", Reply: "certificate does not verify"},
	}
	msg, err := NDR("mx.example.com", Address{"Me", "me@example.com"}, original, failures, now)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, msg)
	h, parts, bodies := readReport(t, msg)
	ct, params, _ := h.ContentType()
	if ct != "multipart/report" || params["report-type"] != "delivery-status" {
		t.Errorf("Content-Type = %q %v", ct, params)
	}
	if h.Get("In-Reply-To") != "<orig@example.com>" || h.Get("To") != `"Me" <me@example.com>` || h.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("header: In-Reply-To %q, To %q, Auto-Submitted %q", h.Get("In-Reply-To"), h.Get("To"), h.Get("Auto-Submitted"))
	}
	want := []string{"text/plain", "message/delivery-status", "text/rfc822-headers"}
	if len(parts) != 3 {
		t.Fatalf("%d parts, want 3", len(parts))
	}
	for i, p := range parts {
		if ct, _, _ := p.Header.ContentType(); ct != want[i] {
			t.Errorf("part %d is %q, want %q", i, ct, want[i])
		}
	}
	if !strings.Contains(string(bodies[0]), "<a@x>: 550 5.1.1 <a@x>: mailbox unknown") {
		t.Errorf("text part:\n%s", bodies[0])
	}
	blocks := statusBlocks(t, bodies[1])
	if len(blocks) != 4 || blocks[0].Get("Reporting-Mta") != "dns; mx.example.com" {
		t.Fatalf("delivery-status has %d blocks:\n%s", len(blocks), bodies[1])
	}
	wantFields := []struct{ rcpt, status, diag string }{
		{"rfc822; a@x", "5.1.1", "smtp; 550 5.1.1 <a@x>: mailbox unknown"},
		{"rfc822; b@y", "5.0.0", "smtp; 554 transaction failed " + strings.TrimSpace(strings.Repeat("long ", 40))},
		{"rfc822; c@z", "5.0.0", "x-mapictl; certificate does not verify"},
	}
	for i, w := range wantFields {
		b := blocks[i+1]
		if b.Get("Final-Recipient") != w.rcpt || b.Get("Action") != "failed" || b.Get("Status") != w.status || b.Get("Diagnostic-Code") != w.diag {
			t.Errorf("block %d = %q %q %q %q, want %q failed %q %q", i+1, b.Get("Final-Recipient"), b.Get("Action"),
				b.Get("Status"), b.Get("Diagnostic-Code"), w.rcpt, w.status, w.diag)
		}
	}
	if got := string(bodies[2]); got != string(original[:bytes.Index(original, []byte("\r\n\r\n"))+2]) {
		t.Errorf("rfc822-headers part = %q", got)
	}
	if bytes.Contains(msg, []byte("secret body")) {
		t.Error("NDR carries the original body")
	}
}

// A bare local part (cron's "root", passed to the server as written) is
// reported as it is: RFC 3464 allows "Final-Recipient: rfc822; root".
func TestNDRLocalPart(t *testing.T) {
	msg, err := NDR("mx.example.com", Address{"", "me@example.com"}, []byte("Subject: x\r\n\r\ny\r\n"),
		[]Failure{{Recipient: "root", SMTPCode: 553, EnhancedCode: "5.1.3", Reply: "bad address syntax"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	checkWire(t, msg)
	_, _, bodies := readReport(t, msg)
	blocks := statusBlocks(t, bodies[1])
	if len(blocks) != 2 || blocks[1].Get("Final-Recipient") != "rfc822; root" || blocks[1].Get("Status") != "5.1.3" {
		t.Fatalf("delivery-status:\n%s", bodies[1])
	}
	if !strings.Contains(string(bodies[0]), "<root>: 553 5.1.3 bad address syntax") {
		t.Errorf("text part:\n%s", bodies[0])
	}
}

func TestNDRStatus(t *testing.T) {
	tests := []struct {
		f    Failure
		want string
	}{
		{Failure{SMTPCode: 550, EnhancedCode: "5.7.1"}, "5.7.1"},
		{Failure{SMTPCode: 450, EnhancedCode: "4.4.7"}, "4.4.7"},
		{Failure{SMTPCode: 451}, "4.0.0"},
		{Failure{SMTPCode: 550, EnhancedCode: "2.0.0"}, "5.0.0"},
		{Failure{SMTPCode: 550, EnhancedCode: "5.x.1"}, "5.0.0"},
		{Failure{}, "5.0.0"},
	}
	for _, tt := range tests {
		if got := tt.f.status(); got != tt.want {
			t.Errorf("%+v status = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestNDRErrors(t *testing.T) {
	ok := []Failure{{Recipient: "a@x", SMTPCode: 550}}
	tests := []struct {
		name string
		mta  string
		to   Address
		f    []Failure
		want error
	}{
		{"no failures", "mx.x", Address{"", "me@x"}, nil, ErrNoRecipients},
		{"to with LF", "mx.x", Address{"Me\nBcc: e@x", "me@x"}, ok, ErrInvalidAddress},
		{"recipient with CR", "mx.x", Address{"", "me@x"}, []Failure{{Recipient: "a@x\r"}}, ErrInvalidAddress},
		{"local part with CR", "mx.x", Address{"", "me@x"}, []Failure{{Recipient: "root\r"}}, ErrInvalidAddress},
		{"local part with LF", "mx.x", Address{"", "me@x"}, []Failure{{Recipient: "root\nBcc: e@x"}}, ErrInvalidAddress},
		{"local part with space", "mx.x", Address{"", "me@x"}, []Failure{{Recipient: "ro ot"}}, ErrInvalidAddress},
		{"local part with semicolon", "mx.x", Address{"", "me@x"}, []Failure{{Recipient: "root;x"}}, ErrInvalidAddress},
		{"mta with space", "mx x", Address{"", "me@x"}, ok, ErrInvalidHeader},
		{"mta with CRLF", "mx\r\nBcc: e@x", Address{"", "me@x"}, ok, ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := NDR(tt.mta, tt.to, []byte("Subject: x\r\n\r\n"), tt.f, now)
			wantErr(t, err, tt.want)
			if msg != nil {
				t.Error("output returned with an error")
			}
		})
	}
}
