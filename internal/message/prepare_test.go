package message

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, 6, 7, 8, 9, 10, 0, time.FixedZone("", 2*3600))

func TestPrepare(t *testing.T) {
	const dateLine = "Date: Sat, 07 Jun 2025 08:09:10 +0200"
	oddBody := "line one  \r\n.\r\n\r\n\t tabbed \r\nlone LF\nlone CR\r..\r\nno final newline "
	tests := []struct {
		name      string
		in        string
		domain    string
		addDate   bool
		addID     bool
		wantID    string // "" = generated; checked for the domain suffix
		idDomain  string
		wantHead  string // header block of the output, with "<ID>" for the new Message-ID
		wantBody  string
		wantExact bool // output == input
	}{
		{name: "complete CRLF", in: "From: a@x\r\nDate: Mon, 02 Jan 2006 15:04:05 -0700\r\nMessage-ID: <m1@x>\r\n\r\n" + oddBody,
			wantID: "<m1@x>", wantExact: true},
		{name: "missing both CRLF", in: "From: Ann <ann@from.example>\r\nSubject: hi\r\n\r\n" + oddBody, addDate: true, addID: true,
			idDomain: "from.example", wantHead: "From: Ann <ann@from.example>\r\nSubject: hi\r\n" + dateLine + "\r\nMessage-ID: <ID>\r\n", wantBody: oddBody},
		{name: "missing id LF", in: "Subject: hi\nDate: Mon, 02 Jan 2006 15:04:05 -0700\n\nbody\n.\n", domain: "given.example", addID: true,
			idDomain: "given.example", wantHead: "Subject: hi\nDate: Mon, 02 Jan 2006 15:04:05 -0700\nMessage-ID: <ID>\n", wantBody: "body\n.\n"},
		{name: "folded header kept", in: "Subject: a\r\n  folded\tline\r\nmessage-id:<k@x>\r\n\r\nb", addDate: true, wantID: "<k@x>",
			wantHead: "Subject: a\r\n  folded\tline\r\nmessage-id:<k@x>\r\n" + dateLine + "\r\n", wantBody: "b"},
		{name: "no body", in: "Subject: x", addDate: true, addID: true, idDomain: "localhost",
			wantHead: "Subject: x\r\n" + dateLine + "\r\nMessage-ID: <ID>\r\n", wantBody: ""},
		{name: "no header", in: "\nonly body\n", addDate: true, addID: true, idDomain: "localhost",
			wantHead: dateLine + "\nMessage-ID: <ID>\n", wantBody: "only body\n"},
		{name: "unparsable id returned as is", in: "Date: Mon, 02 Jan 2006 15:04:05 -0700\r\nMessage-Id: whatever \r\n\r\nx",
			wantID: "whatever", wantExact: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, h, id, err := Prepare([]byte(tt.in), tt.domain, now)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantID != "" && id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			if tt.idDomain != "" && !strings.HasSuffix(id, "@"+tt.idDomain+">") {
				t.Errorf("id = %q, want domain %q", id, tt.idDomain)
			}
			if !h.Has("Date") || !h.Has("Message-Id") {
				t.Errorf("returned header lacks Date or Message-ID")
			}
			if tt.wantExact {
				if !bytes.Equal(out, []byte(tt.in)) {
					t.Errorf("output changed:\n%q\nwant\n%q", out, tt.in)
				}
				return
			}
			m := split(out)
			wantHead := strings.Replace(tt.wantHead, "<ID>", id, 1)
			if string(m.hdr) != wantHead {
				t.Errorf("header block\n%q\nwant\n%q", m.hdr, wantHead)
			}
			if string(m.body) != tt.wantBody {
				t.Errorf("body\n%q\nwant\n%q", m.body, tt.wantBody)
			}
		})
	}
}

func TestPrepareMalformed(t *testing.T) {
	for _, in := range []string{
		"just some text\nwithout header\n\nbody",
		" leading: space\r\n\r\nbody",
		"Good: one\r\nbad line\r\n\r\nbody",
		"Bad Key: v\r\n\r\n",
		"X-Nul: a\x00b\r\n\r\n",
		": no name\r\n\r\n",
	} {
		out, _, _, err := Prepare([]byte(in), "x.example", now)
		wantErr(t, err, ErrMalformed)
		if out != nil {
			t.Errorf("Prepare(%q) returned output with an error", in)
		}
	}
	_, _, _, err := Prepare([]byte("Subject: x\r\n\r\n"), "bad domain", now)
	wantErr(t, err, ErrInvalidHeader)
}

func TestPrepareComposed(t *testing.T) {
	msg, id, err := Compose(baseDraft())
	if err != nil {
		t.Fatal(err)
	}
	out, _, got, err := Prepare(msg, "", now)
	if err != nil || got != id || !bytes.Equal(out, msg) {
		t.Errorf("Prepare of a composed message: id %q want %q, changed %v, err %v", got, id, !bytes.Equal(out, msg), err)
	}
}

func TestStripBcc(t *testing.T) {
	tests := []struct{ in, want string }{
		{"To: a@x\r\nBcc: b@x,\r\n c@x\r\nSubject: s\r\n\r\nBcc: body@x\r\n", "To: a@x\r\nSubject: s\r\n\r\nBcc: body@x\r\n"},
		{"bcc : b@x\nTo: a@x\n\nbody", "To: a@x\n\nbody"},
		{"To: a@x\r\nBCC:\r\n\r\n", "To: a@x\r\n\r\n"},
		{"To: a@x\r\nX-Bcc-Note: keep\r\n\r\n", "To: a@x\r\nX-Bcc-Note: keep\r\n\r\n"},
		{"Bcc: only", ""},
	}
	for _, tt := range tests {
		if got := string(StripBcc([]byte(tt.in))); got != tt.want {
			t.Errorf("StripBcc(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHeaderRecipients(t *testing.T) {
	in := "From: me@x\r\nTo: \"Li, Dana\" <d@x>, s@y\r\nCc: team: d@x, t@z;\r\nTo: late@y\r\nBcc: =?utf-8?q?J=C3=B6?= <j@x>\r\n\r\n"
	_, h, _, err := Prepare([]byte(in), "x", now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := HeaderRecipients(h)
	want := "d@x s@y late@y t@z j@x"
	if err != nil || strings.Join(got, " ") != want {
		t.Errorf("HeaderRecipients = %q (%v), want %q", got, err, want)
	}
	_, h, _, _ = Prepare([]byte("To: broken\r\n\r\n"), "x", now)
	_, err = HeaderRecipients(h)
	wantErr(t, err, ErrInvalidAddress)
}

// TestPrepareLoose: what cron and "echo ... | sendmail" pipe is read as
// Postfix reads it (the header ends at the first line that is not a field;
// the empty line is inserted), while a NUL or a lone CR in a header field
// is still refused.
func TestPrepareLoose(t *testing.T) {
	for _, tt := range []struct{ name, in, wantHead, wantBody string }{
		{"no header", "disk at 91%\n", "", "disk at 91%\n"},
		{"no header CRLF", "disk at 91%\r\nsecond\r\n", "", "disk at 91%\r\nsecond\r\n"},
		{"no blank line", "Subject: alert\ndisk at 91%\n", "Subject: alert\n", "disk at 91%\n"},
		{"folded, then body", "Subject: a\n  b\nTo: x@y\nbody: no, a sentence\n", "Subject: a\n  b\nTo: x@y\nbody: no, a sentence\n", ""},
		{"body line with spaces in name", "Subject: a\nthe disk is: full\nBcc: e@x\n", "Subject: a\n", "the disk is: full\nBcc: e@x\n"},
		{"leading space", " indented text\nTo: x@y\n", "", " indented text\nTo: x@y\n"},
		{"blank line kept", "Subject: a\n\nbody\n", "Subject: a\n", "body\n"},
		{"NUL and lone CR in the body", "text\x00\rmore\n", "", "text\x00\rmore\n"},
		{"empty", "", "", ""},
		{"mbox From_ line dropped", "From alice Mon Dec  7 22:00:00 2026\nSubject: a\nTo: x@y\n\nbody\n", "Subject: a\nTo: x@y\n", "body\n"},
		{"From: is a field", "From: a@x\nbody\n", "From: a@x\n", "body\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, h, id, err := PrepareLoose([]byte(tt.in), "x.example", now)
			if err != nil {
				t.Fatal(err)
			}
			m := split(out)
			nl := "\n"
			if tt.in == "" || strings.Contains(tt.in, "\r\n") {
				nl = "\r\n"
			}
			wantHead := tt.wantHead + "Date: Sat, 07 Jun 2025 08:09:10 +0200" + nl + "Message-ID: " + id + nl
			if string(m.hdr) != wantHead || string(m.sep) != nl || string(m.body) != tt.wantBody {
				t.Errorf("got header %q, separator %q, body %q; want %q, %q, %q", m.hdr, m.sep, m.body, wantHead, nl, tt.wantBody)
			}
			if h.Has("Bcc") {
				t.Errorf("a Bcc line of the body was read as a field")
			}
			if again, _, _, err := Prepare(out, "x.example", now); err != nil || !bytes.Equal(again, out) {
				t.Errorf("the output is not a complete message: %q, %v", again, err)
			}
		})
	}
	for _, in := range []string{
		"X-Nul: a\x00b\nbody\n",
		"Subject: a\rBcc: e@x\nbody\n",
		"Subject: a\n folded\x00\nbody\n",
	} {
		out, _, _, err := PrepareLoose([]byte(in), "x.example", now)
		wantErr(t, err, ErrMalformed)
		if out != nil {
			t.Errorf("PrepareLoose(%q) returned output with an error", in)
		}
	}
}
