package transport

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/textsafe"
)

const sampleDialogue = "220 mx ESMTP\r\nEHLO me\r\n250-mx\r\n250 AUTH PLAIN LOGIN\r\n" +
	"AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\nYWxpY2U=\r\n334 UGFzc3dvcmQ6\r\nc2VjcmV0\r\n235 2.7.0 ok\r\n" +
	"MAIL FROM:<a@b>\r\n250 ok\r\nDATA\r\n354 go\r\nSubject: x\r\n\r\n250 looks like a reply\r\n..\r\n.\r\n250 queued\r\nQUIT\r\n221 bye\r\n"

// play feeds a dialogue (server lines are those starting with a reply
// code, except while the client sends data) to tr as the smtp transport
// does: client and server bytes through their own writers, AUTH bracketed
// from the AUTH command to the final reply, data from the 354 to the "."
// line. Each line is written in chunks of the given sizes, in turn.
func play(tr *transcript, dialogue string, sizes ...int) {
	if len(sizes) == 0 {
		sizes = []int{1 << 20}
	}
	k := 0
	write := func(w interface{ Write([]byte) (int, error) }, p string) {
		for len(p) > 0 {
			n := min(sizes[k%len(sizes)], len(p))
			k++
			w.Write([]byte(p[:n]))
			p = p[n:]
		}
	}
	auth, data := false, false
	for _, l := range strings.SplitAfter(dialogue, "\n") {
		if l == "" {
			continue
		}
		switch {
		case data:
			write(tr.client(), l)
			if strings.TrimRight(l, "\r\n") == "." {
				data = false
				tr.endData()
			}
		case isReply(l):
			write(tr.server(), l)
			switch {
			case auth && !isChallenge(l) && lastLine(l):
				auth = false
				tr.endAuth()
			case strings.HasPrefix(l, "354"):
				data = true
				tr.beginData()
			}
		default:
			if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], "AUTH") {
				auth = true
				tr.beginAuth()
			}
			write(tr.client(), l)
		}
	}
}

// isReply reports whether l looks like a server reply line.
func isReply(l string) bool {
	if len(l) < 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return len(l) == 3 || l[3] == ' ' || l[3] == '-' || l[3] == '\r' || l[3] == '\n'
}

func lastLine(l string) bool { return len(l) < 4 || l[3] != '-' }

func TestTranscriptRedacts(t *testing.T) {
	var out bytes.Buffer
	play(newTranscript(&out), sampleDialogue)
	want := "S: 220 mx ESMTP\nC: EHLO me\nS: 250-mx\nS: 250 AUTH PLAIN LOGIN\n" +
		"C: AUTH LOGIN [redacted]\nS: 334 [redacted]\nC: [redacted]\nS: 334 [redacted]\nC: [redacted]\nS: 235 2.7.0 ok\n" +
		"C: MAIL FROM:<a@b>\nS: 250 ok\nC: DATA\nS: 354 go\nC: [42 bytes of message data]\nC: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestTranscriptPipelinedAuth is issue 24 point 6 at the transcript level: a
// server that sends the last challenge and the final 235 in one write,
// before the client's answer, must not end the redaction.
func TestTranscriptPipelinedAuth(t *testing.T) {
	var out bytes.Buffer
	tr := newTranscript(&out)
	c, s := tr.client(), tr.server()
	s.Write([]byte("220 mx\r\n250 AUTH LOGIN\r\n"))
	tr.beginAuth()
	c.Write([]byte("AUTH LOGIN\r\n"))
	s.Write([]byte("334 VXNlcm5hbWU6\r\n"))
	c.Write([]byte(b64("alice") + "\r\n"))
	s.Write([]byte("334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n")) // one write, early
	c.Write([]byte(b64("s3cret") + "\r\n"))
	tr.endAuth()
	c.Write([]byte("MAIL FROM:<a@b>\r\n"))
	got := out.String()
	for _, secret := range []string{b64("s3cret"), b64("alice"), "s3cret"} {
		if strings.Contains(got, secret) {
			t.Fatalf("transcript shows %q:\n%s", secret, got)
		}
	}
	if strings.Count(got, "C: [redacted]\n") != 2 || !strings.Contains(got, "C: MAIL FROM:<a@b>\n") {
		t.Fatalf("transcript\n%s", got)
	}
}

// TestTranscriptEscapes is issue 24 point 7: control characters a server
// sends are shown escaped, never raw.
func TestTranscriptEscapes(t *testing.T) {
	var out bytes.Buffer
	tr := newTranscript(&out)
	tr.server().Write([]byte("220 mx \x1b[2J\x1b]0;title\x07 hi\rspoof\r\n550 5.1.1 \x9b2J \u009b gone\x7f\r\n"))
	tr.client().Write([]byte("EHLO a\x1bb\r\n"))
	want := "S: 220 mx \\x1b[2J\\x1b]0;title\\x07 hi\\rspoof\n" +
		"S: 550 5.1.1 \\x9b2J \\u009b gone\\x7f\n" +
		"C: EHLO a\\x1bb\n"
	if out.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", out.String(), want)
	}
}

// TestTranscriptUnterminatedData: data cut short (a failed write) is
// summarised at endData and does not swallow what the client sends next.
func TestTranscriptUnterminatedData(t *testing.T) {
	var out bytes.Buffer
	tr := newTranscript(&out)
	tr.beginData()
	tr.client().Write([]byte("Subject: x\r\n\r\nbody"))
	tr.endData()
	tr.client().Write([]byte("RSET\r\n"))
	if want := "C: [18 bytes of message data, unterminated]\nC: RSET\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

// FuzzTranscriptChunking checks that the transcript does not depend on how
// the dialogue is split into writes, never shows the SASL payloads and
// never emits a raw control character.
func FuzzTranscriptChunking(f *testing.F) {
	f.Add([]byte(sampleDialogue), uint8(1), uint8(7))
	f.Add([]byte("DATA\r\n354 go\r\n"+strings.Repeat("x", 5000)+"\r\n.\r\n250 ok\r\n"), uint8(200), uint8(255))
	f.Add([]byte("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n235 ok\r\n"), uint8(3), uint8(2))
	f.Add([]byte("220 \x1b[2J\rx\r\n550 \x9b\xc2\x9b\r\n"), uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, dialogue []byte, a, b uint8) {
		var whole, split bytes.Buffer
		play(newTranscript(&whole), string(dialogue))
		play(newTranscript(&split), string(dialogue), int(a%16)+1, int(b%16)+1)
		if whole.String() != split.String() {
			t.Fatalf("chunked transcript differs:\n%q\n%q", whole.String(), split.String())
		}
		checkPrintable(t, whole.String())
		if bytes.Equal(dialogue, []byte(sampleDialogue)) {
			for _, s := range []string{"YWxpY2U=", "c2VjcmV0", "VXNlcm5hbWU6"} {
				if strings.Contains(whole.String(), s) {
					t.Fatalf("payload %q shown", s)
				}
			}
		}
	})
}

// FuzzTranscriptAuth: whatever the server sends, however it splits and
// times its replies around the client's AUTH exchange, the client's SASL
// payloads (base64 or clear) never appear in the transcript, a redaction
// marker does, and no raw control character is emitted.
func FuzzTranscriptAuth(f *testing.F) {
	f.Add([]byte("220 mx\r\n250 AUTH LOGIN\r\n"), []byte("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n"), []byte("250 ok\r\n"), uint8(0), uint8(5))
	f.Add([]byte("220 \x1b[2J\r\n"), []byte("235 ok\r\n"), []byte("\x1b]0;x\x07\r\n"), uint8(1), uint8(1))
	f.Add([]byte(""), []byte("334 \r\n"), []byte("535 no\r\n"), uint8(2), uint8(200))
	f.Fuzz(func(t *testing.T, before, during, after []byte, mech, chunk uint8) {
		const user, pass = "alice@example.org", "s3cret-Pw-9f2"
		var lines []string
		switch mech % 3 {
		case 0:
			lines = []string{"AUTH LOGIN", b64(user), b64(pass)}
		case 1:
			lines = []string{"AUTH PLAIN " + b64("\x00"+user+"\x00"+pass)}
		default:
			lines = []string{"AUTH XOAUTH2", b64("user=" + user + "\x01auth=Bearer " + pass + "\x01\x01"), "*"}
		}
		secrets := []string{pass, b64(pass), b64("\x00" + user + "\x00" + pass),
			b64("user=" + user + "\x01auth=Bearer " + pass + "\x01\x01"), b64(user)}
		for _, srv := range [][]byte{before, during, after} {
			for _, secret := range secrets {
				if bytes.Contains(srv, []byte(secret)) {
					t.Skip("the server itself sends the secret")
				}
			}
		}
		var out bytes.Buffer
		tr := newTranscript(&out)
		c, s := tr.client(), tr.server()
		size := int(chunk%9) + 1
		chunked := func(w interface{ Write([]byte) (int, error) }, p []byte) {
			for len(p) > 0 {
				n := min(size, len(p))
				w.Write(p[:n])
				p = p[n:]
			}
		}
		chunked(s, before)
		c.Write([]byte("EHLO client.test\r\n"))
		tr.beginAuth()
		// the server's bytes land between, before and after the client's
		for i, l := range lines {
			if i < len(during) {
				chunked(s, during[i*len(during)/len(lines):(i+1)*len(during)/len(lines)])
			}
			chunked(c, []byte(l+"\r\n"))
		}
		tr.endAuth()
		chunked(s, after)
		c.Write([]byte("MAIL FROM:<" + user + ">\r\n"))
		got := out.String()
		for _, secret := range secrets {
			if strings.Contains(got, secret) {
				t.Fatalf("transcript shows %q:\n%s", secret, got)
			}
		}
		if !strings.Contains(got, "[redacted]") {
			t.Fatalf("no redaction marker:\n%s", got)
		}
		checkPrintable(t, got)
	})
}

// checkPrintable fails if any transcript line holds a control character.
func checkPrintable(t *testing.T, out string) {
	t.Helper()
	if out != "" && !strings.HasSuffix(out, "\n") {
		t.Fatalf("transcript does not end in a newline: %q", out)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !textsafe.Safe(l) {
			t.Fatalf("raw control character in transcript line %q", l)
		}
	}
}
