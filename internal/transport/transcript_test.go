package transport

import (
	"bytes"
	"strings"
	"testing"
)

const sampleDialogue = "220 mx ESMTP\r\nEHLO me\r\n250-mx\r\n250 AUTH PLAIN LOGIN\r\n" +
	"AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\nYWxpY2U=\r\n334 UGFzc3dvcmQ6\r\nc2VjcmV0\r\n235 2.7.0 ok\r\n" +
	"MAIL FROM:<a@b>\r\n250 ok\r\nDATA\r\n354 go\r\nSubject: x\r\n\r\n250 looks like a reply\r\n..\r\n.\r\n250 queued\r\nQUIT\r\n221 bye\r\n"

func TestTranscriptRedacts(t *testing.T) {
	var out bytes.Buffer
	newTranscript(&out).Write([]byte(sampleDialogue))
	want := "S: 220 mx ESMTP\nC: EHLO me\nS: 250-mx\nS: 250 AUTH PLAIN LOGIN\n" +
		"C: AUTH LOGIN [redacted]\nS: 334 [redacted]\nC: [redacted]\nS: 334 [redacted]\nC: [redacted]\nS: 235 2.7.0 ok\n" +
		"C: MAIL FROM:<a@b>\nS: 250 ok\nC: DATA\nS: 354 go\nC: [42 bytes of message data]\nC: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// FuzzTranscriptChunking checks that the transcript does not depend on how
// the dialogue is split into writes, and never shows the SASL payloads.
func FuzzTranscriptChunking(f *testing.F) {
	f.Add([]byte(sampleDialogue), uint8(1), uint8(7))
	f.Add([]byte("DATA\r\n354 go\r\n"+strings.Repeat("x", 5000)+"\r\n.\r\n250 ok\r\n"), uint8(200), uint8(255))
	f.Add([]byte("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n235 ok\r\n"), uint8(3), uint8(2))
	f.Fuzz(func(t *testing.T, dialogue []byte, a, b uint8) {
		var whole, split bytes.Buffer
		newTranscript(&whole).Write(dialogue)
		tr := newTranscript(&split)
		sizes := []int{int(a%16) + 1, int(b%16) + 1}
		for i, p := 0, dialogue; len(p) > 0; i++ {
			n := min(sizes[i%2], len(p))
			tr.Write(p[:n])
			p = p[n:]
		}
		if whole.String() != split.String() {
			t.Fatalf("chunked transcript differs:\n%q\n%q", whole.String(), split.String())
		}
		if bytes.Equal(dialogue, []byte(sampleDialogue)) {
			for _, s := range []string{"YWxpY2U=", "c2VjcmV0", "VXNlcm5hbWU6"} {
				if strings.Contains(whole.String(), s) {
					t.Fatalf("payload %q shown", s)
				}
			}
		}
	})
}
