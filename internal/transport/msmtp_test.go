package transport

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSendmailThroughMsmtp delivers through the real msmtp (as the
// configured sendmail program) into the in-process SMTP server, over
// STARTTLS with PLAIN authentication.
func TestSendmailThroughMsmtp(t *testing.T) {
	msmtp, err := exec.LookPath("msmtp")
	if err != nil {
		t.Skip("msmtp not installed")
	}
	ts := startServer(t, "starttls", nil)
	dir := t.TempDir()
	rc := filepath.Join(dir, "msmtprc")
	conf := strings.Join([]string{
		"account default", "host 127.0.0.1", "port " + itoa(ts.port), "domain client.test",
		"tls on", "tls_starttls on", "tls_trust_file " + ts.cert.caFile,
		"auth plain", "user " + ts.user, "password " + ts.pass, "",
	}, "\n")
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(dir, "sendmail")
	script := "#!/bin/sh\nexec " + msmtp + " -C " + rc + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	tr := newT(t, Config{Kind: "sendmail", SendmailPath: wrapper})
	res, err := tr.Send(context.Background(), env("bob@example.org", "carol@example.org"), []byte(testMsg))
	if err != nil {
		t.Fatalf("Send via msmtp: %v", err)
	}
	if len(res.Accepted) != 2 {
		t.Fatalf("result %+v", res)
	}
	msgs := ts.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages received", len(msgs))
	}
	m := msgs[0]
	if m.from != "alice@example.org" || strings.Join(m.to, ",") != "bob@example.org,carol@example.org" ||
		!strings.Contains(string(m.data), "Subject: hi\r\n\r\nhello\r\n.dot line\r\n") {
		t.Fatalf("received %+v %q", m, m.data)
	}
	if _, used := ts.mechanisms(); len(used) != 1 || used[0] != "PLAIN" {
		t.Fatalf("auth %v", used)
	}

	// A refusal by the server comes back through msmtp's exit status.
	ts.rcptErr = map[string]error{"bob@example.org": smtpRefusal(550)}
	_, err = tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	wantErr(t, err, KindPermanent, StageDeliver)
}
