package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// imapOddMessages are messages whose bytes a careless client would change.
var imapOddMessages = map[string][]byte{
	"bare CR":     []byte("Subject: cr\r\n\r\nline one\rstill one\r\nend\r\n"),
	"NUL":         []byte("Subject: nul\r\n\r\na\x00b\x00\r\n"),
	"long line":   []byte("Subject: long\r\n\r\n" + strings.Repeat("x", 200_000) + "\r\n"),
	"leading dot": []byte("Subject: dot\r\n\r\n.\r\n..two\r\n.\r\n"),
	"8-bit":       []byte("Subject: Grüße aus Köln\r\nFrom: Jürgen <j@example.org>\r\n\r\nÄÖÜ\r\n"),
	"no body":     []byte("Subject: headers only\r\n\r\n"),
	"literal-ish": []byte("Subject: {5}\r\n\r\n{12}\r\n* OK fake\r\n"),
}

func TestIMAPFetchBytesAsStored(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	want := map[string][]byte{}
	for _, msg := range imapOddMessages {
		want[strconv.Itoa(int(ts.appendMsg(t, msg)))] = msg
	}
	m := dialIMAP(t, ts.config("tls"))
	ids, sizes, err := m.List(context.Background())
	if err != nil || len(ids) != len(want) {
		t.Fatalf("List: %v %v", ids, err)
	}
	for i, id := range ids {
		if sizes[i] != int64(len(want[id])) {
			t.Errorf("size of %s: %d, want %d", id, sizes[i], len(want[id]))
		}
	}
	got := fetchAll(t, m, ids)
	for id, w := range want {
		if !bytes.Equal(got[id], w) {
			t.Errorf("message %s: got %q, want %q", id, trunc(got[id]), trunc(w))
		}
	}
}

func trunc(b []byte) []byte {
	if len(b) > 80 {
		return append(b[:80:80], "…"...)
	}
	return b
}

// Fetch pipelines: one UID FETCH for the whole set.
func TestIMAPFetchOneCommand(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	for i := range 20 {
		ts.appendMsg(t, []byte("Subject: "+strconv.Itoa(i)+"\r\n\r\nx\r\n"))
	}
	m := dialIMAP(t, ts.config("tls"))
	ids, _, err := m.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fetches := func() int { return strings.Count(ts.received(), "(UID BODY.PEEK[])") }
	before := fetches()
	var order []string
	err = m.Fetch(context.Background(), ids, func(id string, r io.Reader) error {
		order = append(order, id)
		_, err := io.Copy(io.Discard, r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := fetches() - before; n != 1 {
		t.Fatalf("%d UID FETCH commands for 20 messages, want 1", n)
	}
	if strings.Join(order, ",") != strings.Join(ids, ",") {
		t.Fatalf("delivered %v, want %v", order, ids)
	}
	if !strings.Contains(ts.received(), "BODY.PEEK[]") {
		t.Fatal("not fetched with BODY.PEEK[]")
	}
}

// A deliver error stops Fetch with that error; the session stays usable.
func TestIMAPFetchDeliverError(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	for range 3 {
		ts.appendMsg(t, []byte("Subject: x\r\n\r\nx\r\n"))
	}
	m := dialIMAP(t, ts.config("tls"))
	ids, _, _ := m.List(context.Background())
	full := errors.New("disk full")
	calls := 0
	err := m.Fetch(context.Background(), ids, func(string, io.Reader) error { calls++; return full })
	if err != full || calls != 1 {
		t.Fatalf("Fetch: %v after %d calls, want disk full after 1", err, calls)
	}
	if got := fetchAll(t, m, ids[2:]); len(got) != 1 {
		t.Fatalf("session unusable after a deliver error: %v", got)
	}
}

func TestIMAPDeleteCommit(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	for i := range 5 {
		ts.appendMsg(t, []byte("Subject: "+strconv.Itoa(i)+"\r\n\r\nx\r\n"))
	}
	m := dialIMAP(t, ts.config("tls"))
	ids, _, _ := m.List(context.Background())
	del := []string{ids[1], ids[3]}
	if err := m.Delete(context.Background(), del); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.received(), "UID EXPUNGE "+ids[1]+","+ids[3]) {
		t.Fatalf("no UID EXPUNGE of exactly %v:\n%s", del, ts.received())
	}
	left, _, err := m.List(context.Background())
	if err != nil || strings.Join(left, ",") != strings.Join([]string{ids[0], ids[2], ids[4]}, ",") {
		t.Fatalf("left %v (%v), want %v", left, err, []string{ids[0], ids[2], ids[4]})
	}
}

// Close after Delete without Commit takes \Deleted off again.
func TestIMAPDeleteWithoutCommit(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	ts.appendMsg(t, []byte("Subject: x\r\n\r\nx\r\n"))
	m := dialIMAP(t, ts.config("tls"))
	ids, _, _ := m.List(context.Background())
	if err := m.Delete(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := ts.user.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumDeleted: true})
	if err != nil || *st.NumMessages != 1 || st.NumDeleted == nil || *st.NumDeleted != 0 {
		t.Fatalf("status %+v %v, want 1 message, none \\Deleted", st, err)
	}
}

func TestIMAPNoUIDPLUS(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls", caps: imap.CapSet{imap.CapIMAP4rev1: {}}})
	ts.appendMsg(t, []byte("Subject: x\r\n\r\nx\r\n"))
	m := dialIMAP(t, ts.config("tls"))
	if m.CanDelete() {
		t.Fatal("CanDelete without UIDPLUS")
	}
	ids, _, _ := m.List(context.Background())
	err := m.Delete(context.Background(), ids)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindConfig || te.Stage != StageDelete {
		t.Fatalf("Delete: %v, want KindConfig of stage delete", err)
	}
	if me, _ := MAPIError(err, ""); me.ExitStatus() != 78 {
		t.Fatalf("exit %d, want 78", me.ExitStatus())
	}
	if strings.Contains(ts.received(), "STORE") {
		t.Fatal("a STORE was sent")
	}
}

func TestIMAPIdleNewMail(t *testing.T) {
	ts := startIMAPServer(t, imapServerOpts{security: "tls"})
	m := dialIMAP(t, ts.config("tls"))
	if _, _, err := m.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		ts.appendMsg(t, []byte("Subject: new\r\n\r\nx\r\n"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Idle(ctx); err != nil {
		t.Fatalf("Idle: %v", err)
	}
	ids, _, err := m.List(context.Background())
	if err != nil || len(ids) != 1 {
		t.Fatalf("after Idle: %v %v", ids, err)
	}
	// ctx ending leaves IDLE cleanly: temporary, and the session still works.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	err = m.Idle(ctx2)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTemporary || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Idle after ctx: %v, want temporary wrapping the deadline", err)
	}
	if _, _, err := m.List(context.Background()); err != nil {
		t.Fatalf("List after Idle: %v", err)
	}
}

// A server that accepts the connection and then says nothing: cancelling
// ctx returns within 1s with a temporary error.
func TestIMAPCancelWhileStalled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	cfg := InboundConfig{Host: host, Port: atoiPort(port), Security: "none", AllowInsecureAuth: true,
		Credentials: Credentials{Username: "u", Password: "p"}, Timeout: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err = DialIMAP(ctx, cfg)
	if d := time.Since(start); d > 1200*time.Millisecond {
		t.Fatalf("returned after %v", d)
	}
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTemporary {
		t.Fatalf("err %v, want temporary", err)
	}
}

// A mailbox whose server stalls in the middle of a fetch: cancelling ctx
// returns within 1s, temporary; the step timeout does the same unasked.
func TestIMAPCancelFetchStalled(t *testing.T) {
	for _, byTimeout := range []bool{false, true} {
		fs := startIMAPFake(t, imapFake{stallFetch: true, msgs: [][]byte{[]byte("Subject: x\r\n\r\nx\r\n")}})
		cfg := fs.config()
		if byTimeout {
			cfg.Timeout = 300 * time.Millisecond
		}
		m := dialIMAP(t, cfg)
		ctx, cancel := context.WithCancel(context.Background())
		if !byTimeout {
			time.AfterFunc(200*time.Millisecond, cancel)
		}
		start := time.Now()
		err := m.Fetch(ctx, []string{"1"}, func(string, io.Reader) error { return nil })
		cancel()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("byTimeout %v: returned after %v: %v", byTimeout, d, err)
		}
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindTemporary || te.Stage != StageFetch {
			t.Fatalf("byTimeout %v: err %v, want temporary of stage fetch", byTimeout, err)
		}
	}
}

// A connection dropped inside a literal: the reader fails, the bytes are
// never taken for a whole message.
func TestIMAPFetchDroppedMidLiteral(t *testing.T) {
	msg := []byte("Subject: x\r\n\r\n" + strings.Repeat("y", 10000) + "\r\n")
	fs := startIMAPFake(t, imapFake{dropAfter: 5000, msgs: [][]byte{msg}})
	m := dialIMAP(t, fs.config())
	var readErr error
	err := m.Fetch(context.Background(), []string{"1"}, func(_ string, r io.Reader) error {
		_, readErr = io.Copy(io.Discard, r)
		return readErr
	})
	if !errors.Is(readErr, io.ErrUnexpectedEOF) {
		t.Fatalf("reader: %v, want io.ErrUnexpectedEOF", readErr)
	}
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTemporary || te.Stage != StageFetch {
		t.Fatalf("Fetch: %v, want temporary of stage fetch", err)
	}
}
