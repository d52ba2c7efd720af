package transport

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Messages on a kept connection follow each other without RSET while each
// was accepted (the server is ready for MAIL after a completed
// transaction); after a refusal, RSET comes first (issue 29: one round
// trip less a message in a flush). go-smtp greets again after RSET.
func TestSMTPRsetOnlyAfterRefusal(t *testing.T) {
	rs := startRawServer(t, "")
	tr := newT(t, rawConfig(rs, "plain", &bytes.Buffer{}))
	send := func(to string) error {
		_, err := tr.Send(context.Background(), env(to), []byte(testMsg))
		return err
	}
	for range 3 {
		if err := send("bob@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	rs.mu.Lock()
	rs.rcptReply = "550 5.1.1 no such user"
	rs.mu.Unlock()
	if err := send("nobody@example.org"); err == nil {
		t.Fatal("a refused recipient was accepted")
	}
	rs.mu.Lock()
	rs.rcptReply = ""
	rs.mu.Unlock()
	if err := send("bob@example.org"); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	got := strings.Join(rs.verbs, " ")
	want := "EHLO AUTH MAIL RCPT DATA MAIL RCPT DATA MAIL RCPT DATA MAIL RCPT RSET EHLO MAIL RCPT DATA QUIT"
	if got != want || rs.conns != 1 {
		t.Fatalf("server saw %q on %d connections; want %q on one", got, rs.conns, want)
	}
}

// A kept connection the server closed between messages (its idle timeout,
// its limit of messages a connection) is replaced at MAIL, before any data
// went over it: every message is delivered once.
func TestSMTPReconnectsWhenKeptConnectionClosed(t *testing.T) {
	rs := startRawServer(t, "")
	rs.closeAfter = 2
	var verbose bytes.Buffer
	tr := newT(t, rawConfig(rs, "plain", &verbose))
	for i := range 5 {
		if _, err := tr.Send(context.Background(), env("bob@example.org"), []byte(testMsg)); err != nil {
			t.Fatalf("message %d: %v\n%s", i, err, verbose.String())
		}
	}
	tr.Close()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if n := strings.Count(strings.Join(rs.verbs, " "), "DATA"); n != 5 || rs.conns != 3 {
		t.Fatalf("%d messages over %d connections; want 5 over 3", n, rs.conns)
	}
	if !strings.Contains(verbose.String(), "reconnecting") {
		t.Errorf("the transcript does not say it reconnected:\n%s", verbose.String())
	}
}
