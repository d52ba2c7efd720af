package transport

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The -v transcript never shows a credential, whatever the logon, and
// never a message's bytes.
func TestIMAPTranscriptRedacts(t *testing.T) {
	for _, tc := range []struct {
		auth  string
		scram bool
	}{{"login", false}, {"plain", false}, {"auto", true}, {"plain", true}} {
		ts := startIMAPServer(t, imapServerOpts{security: "tls", scram: tc.scram})
		ts.appendMsg(t, []byte("Subject: secret-subject\r\n\r\nbody-marker\r\n"))
		var v bytes.Buffer
		cfg := ts.config("tls")
		cfg.Auth, cfg.Log = tc.auth, &v
		m := dialIMAP(t, cfg)
		ids, _, err := m.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fetchAll(t, m, ids)
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		out := v.String()
		for _, bad := range []string{imapTestPass, "pässword", "p\\xc3", b64("\x00" + imapTestUser + "\x00" + imapTestPass),
			"body-marker", "secret-subject"} {
			if strings.Contains(out, bad) {
				t.Fatalf("auth %s (scram %v): transcript shows %q:\n%s", tc.auth, tc.scram, bad, out)
			}
		}
		for _, want := range []string{"[redacted]", "bytes of literal data]", "UID FETCH", "tls established"} {
			if !strings.Contains(out, want) {
				t.Fatalf("auth %s: transcript lacks %q:\n%s", tc.auth, want, out)
			}
		}
	}
}

// Redaction holds however the bytes are cut, and literals are counted.
func TestIMAPTranscriptFilter(t *testing.T) {
	var out bytes.Buffer
	tr := imapNewTranscript(&out)
	feed := func(w interface{ Write([]byte) (int, error) }, s string) {
		for i := range len(s) {
			w.Write([]byte{s[i]})
		}
	}
	feed(tr.server(), "* OK ready\r\n")
	tr.imapBeginAuth()
	feed(tr.client(), "T1 LOGIN {5}\r\n")
	feed(tr.server(), "+ go on\r\n")
	feed(tr.client(), "alice {6}\r\nhunter\r\n")
	tr.imapEndAuth()
	feed(tr.server(), "T1 OK done\r\n")
	feed(tr.client(), "T2 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcg==\r\n") // outside a bracket: still redacted
	feed(tr.client(), "T3 NOOP\r\n")                                    // and until the bracket ends
	tr.imapEndAuth()
	feed(tr.server(), "* 1 FETCH (UID 1 BODY[] {11}\r\nhello\r\nbye\n)\r\nT3 OK\r\n")
	feed(tr.server(), "* 2 FETCH (UID 2 BODY[] {0}\r\n)\r\n")
	got := out.String()
	want := "S: * OK ready\n" +
		"C: T1 LOGIN [redacted]\n" +
		"S: + [redacted]\n" +
		"C: [redacted]\n" + // the 5-byte literal "alice"
		"C: [redacted]\n" + // " {6}"
		"C: [redacted]\n" + // the 6-byte literal
		"C: [redacted]\n" + // the empty rest of the line
		"S: T1 OK done\n" +
		"C: T2 AUTHENTICATE PLAIN [redacted]\n" +
		"C: [redacted]\n" +
		"S: * 1 FETCH (UID 1 BODY[] {11}\n" +
		"S: [11 bytes of literal data]\n" +
		"S: )\n" +
		"S: T3 OK\n" +
		"S: * 2 FETCH (UID 2 BODY[] {0}\n" +
		"S: [0 bytes of literal data]\n" +
		"S: )\n"
	if got != want {
		t.Fatalf("transcript:\n%s\nwant:\n%s", got, want)
	}
	for _, bad := range []string{"alice", "hunter", "AGFsaWNl"} {
		if strings.Contains(got, bad) {
			t.Fatalf("shows %q", bad)
		}
	}
}

// Lines are cut, and control characters escaped.
func TestIMAPTranscriptLongLineAndControls(t *testing.T) {
	var out bytes.Buffer
	tr := imapNewTranscript(&out)
	tr.server().Write([]byte("* OK " + strings.Repeat("a", 10000) + " {3}\r\nxyz)\r\n* OK \x1b[31mred\r\n"))
	got := out.String()
	if !strings.Contains(got, "[… 5913 more bytes]\nS: [3 bytes of literal data]\nS: )\n") {
		t.Fatalf("long line: %q", got[len(got)-120:])
	}
	if strings.Contains(got, "\x1b") {
		t.Fatal("escape sequence printed raw")
	}
}
