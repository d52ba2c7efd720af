package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// pop3Messages are the contents that must arrive byte for byte.
var pop3Messages = []string{
	"Subject: bare cr\r\n\r\nline\rwith bare CR\r\n\r\r\n",
	"Subject: nul\r\n\r\nNUL \x00 here\r\n",
	"Subject: long\r\n\r\n" + strings.Repeat("0123456789", 20000) + "\r\n",
	".Subject: leading dot header\r\n\r\n.\r\n..\r\n.x\r\n.\rcr\r\n",
	"Subject: =?utf-8?q?x?= \xc3\xa9t\xc3\xa9 8-bit \xff\r\nFrom: J\xc3\xb6rg <j@example.org>\r\n\r\nbody \xe9\r\n",
	"Subject: no body\r\n\r\n",
	"Subject: lf only\n\nbody\n.dot\n",
}

// pop3Dial logs on to f with c, failing the test on error.
func pop3Dial(t *testing.T, c InboundConfig) *POP3Maildrop {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := DialPOP3(ctx, c)
	if err != nil {
		t.Fatalf("DialPOP3: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// pop3FetchAll fetches every listed message into a map by id.
func pop3FetchAll(t *testing.T, m *POP3Maildrop) ([]string, map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	ids, sizes, err := m.List(ctx)
	if err != nil || len(ids) != len(sizes) {
		t.Fatalf("List = %v %v %v", ids, sizes, err)
	}
	got := map[string][]byte{}
	var order []string
	err = m.Fetch(ctx, ids, func(id string, r io.Reader) error {
		b, err := io.ReadAll(r)
		got[id] = b
		order = append(order, id)
		return err
	})
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if !slices.Equal(order, ids) {
		t.Fatalf("delivered in order %v, want %v", order, ids)
	}
	return ids, got
}

func TestPOP3FetchBytesAsSent(t *testing.T) {
	cert := newTestCert(t)
	for _, tc := range []struct {
		name string
		conf func(f *pop3Fake)
	}{
		{"tls pipelining", func(f *pop3Fake) { f.implicitTLS, f.pipelining = true, true }},
		{"tls one by one", func(f *pop3Fake) { f.implicitTLS = true }},
		{"stls pipelining", func(f *pop3Fake) { f.pipelining = true }},
		{"stls no capa", func(f *pop3Fake) { f.implicitTLS, f.noCapa = true, true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newPOP3Fake(t, cert, tc.conf)
			f.add(pop3Messages...)
			m := pop3Dial(t, f.config())
			if m.Validity() != "" || !m.CanDelete() {
				t.Errorf("Validity %q CanDelete %v", m.Validity(), m.CanDelete())
			}
			ids, got := pop3FetchAll(t, m)
			if !slices.Equal(ids, f.uidls()) {
				t.Fatalf("ids %v, want %v", ids, f.uidls())
			}
			for i, want := range pop3Messages {
				if !bytes.Equal(got[ids[i]], []byte(want)) {
					t.Errorf("message %d: got %q\nwant %q", i, pop3Short(got[ids[i]]), pop3Short([]byte(want)))
				}
			}
			if err := m.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if n := len(f.uidls()); n != len(pop3Messages) {
				t.Errorf("%d messages left on the server, want all %d", n, len(pop3Messages))
			}
		})
	}
}

func pop3Short(b []byte) string {
	if len(b) > 200 {
		return string(b[:100]) + "..." + string(b[len(b)-100:])
	}
	return string(b)
}

func TestPOP3ListSizes(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS = true })
	f.add("a\r\n", "bb\r\n")
	m := pop3Dial(t, f.config())
	ids, sizes, err := m.List(context.Background())
	if err != nil || !slices.Equal(ids, []string{"u1", "u2"}) || !slices.Equal(sizes, []int64{3, 4}) {
		t.Fatalf("List = %v %v %v", ids, sizes, err)
	}
}

func TestPOP3DeleteFinalOnlyAfterQuit(t *testing.T) {
	for _, pipe := range []bool{false, true} {
		f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS, f.pipelining = true, pipe })
		f.add("one\r\n", "two\r\n", "three\r\n")
		m := pop3Dial(t, f.config())
		ctx := context.Background()
		if err := m.Delete(ctx, []string{"u1", "u3"}); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if n := len(f.uidls()); n != 3 {
			t.Fatalf("pipelining %v: %d messages on the server after DELE, want 3 until QUIT", pipe, n)
		}
		if ids, _, err := m.List(ctx); err != nil || !slices.Equal(ids, []string{"u2"}) {
			t.Fatalf("List after Delete = %v %v, want [u2]", ids, err)
		}
		if err := m.Commit(ctx); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if u := f.uidls(); !slices.Equal(u, []string{"u2"}) {
			t.Fatalf("after QUIT the server holds %v, want [u2]", u)
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close after Commit: %v", err)
		}
		if c := f.commands(); c[len(c)-1] != "QUIT" || slices.Contains(c, "RSET") {
			t.Errorf("commands %v: want one QUIT last and no RSET", c)
		}
	}
}

func TestPOP3CloseWithoutCommitResets(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS = true })
	f.add("one\r\n", "two\r\n")
	m := pop3Dial(t, f.config())
	if err := m.Delete(context.Background(), []string{"u1"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c := f.commands()
	if i := slices.Index(c, "RSET"); i < 0 || i != len(c)-2 || c[len(c)-1] != "QUIT" {
		t.Errorf("commands %v: want RSET then QUIT at the end", c)
	}
	if u := f.uidls(); len(u) != 2 {
		t.Errorf("server holds %v, want both messages", u)
	}
}

func TestPOP3STLSRequiredButMissing(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.noSTLS, f.sasl = true, []string{"PLAIN"} })
	f.add("x\r\n")
	c := f.config()
	c.Auth = "user"
	_, err := DialPOP3(context.Background(), c)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTLS || te.Stage != StageTLS {
		t.Fatalf("err = %#v, want KindTLS stage tls", err)
	}
	for _, v := range f.commands() {
		if v == "USER" || v == "PASS" || v == "AUTH" {
			t.Fatalf("server saw %s before TLS: %v", v, f.commands())
		}
	}
	if strings.Contains(f.received(), f.pass) {
		t.Fatal("password sent in plaintext")
	}
}

func TestPOP3STLS(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.sasl = []string{"PLAIN"} })
	f.add("x\r\n")
	m := pop3Dial(t, f.config())
	if _, got := pop3FetchAll(t, m); string(got["u1"]) != "x\r\n" {
		t.Fatalf("got %q", got)
	}
	c := f.commands()
	if !slices.Equal(c[:4], []string{"CAPA", "STLS", "CAPA", "AUTH"}) {
		t.Errorf("commands %v: want CAPA STLS CAPA AUTH first", c)
	}
}

func TestPOP3DataBeforeSTLSHandshake(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.afterSTLS = "\r\n+OK injected" })
	_, err := DialPOP3(context.Background(), f.config())
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTLS || te.Stage != StageTLS {
		t.Fatalf("err = %v, want KindTLS stage tls", err)
	}
	if slices.Contains(f.commands(), "USER") || slices.Contains(f.commands(), "AUTH") {
		t.Fatalf("credentials sent: %v", f.commands())
	}
}

func TestPOP3InsecureAuthRefused(t *testing.T) {
	f := newPOP3Fake(t, nil, nil)
	c := f.config()
	c.Security = "none"
	_, err := DialPOP3(context.Background(), c)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindConfig || te.Stage != StageAuth {
		t.Fatalf("err = %v, want KindConfig stage auth", err)
	}
	if slices.Contains(f.commands(), "USER") {
		t.Fatal("USER sent over plaintext")
	}
	c.AllowInsecureAuth = true
	pop3Dial(t, c)
}

func TestPOP3AuthAuto(t *testing.T) {
	cert := newTestCert(t)
	for _, tc := range []struct {
		sasl []string
		want string // the AUTH line's mechanism, or USER
	}{
		{[]string{"PLAIN", "SCRAM-SHA-256"}, "AUTH SCRAM-SHA-256"},
		{[]string{"LOGIN", "PLAIN"}, "AUTH PLAIN"},
		{nil, "USER"},
	} {
		f := newPOP3Fake(t, cert, func(f *pop3Fake) { f.implicitTLS, f.sasl = true, tc.sasl })
		pop3Dial(t, f.config())
		if r := f.received(); !strings.Contains(r, tc.want) {
			t.Errorf("SASL %v: server got %q, want %s", tc.sasl, r, tc.want)
		}
	}
}

func TestPOP3WrongPassword(t *testing.T) {
	cert := newTestCert(t)
	for _, mechs := range [][]string{nil, {"PLAIN"}, {"SCRAM-SHA-256"}} {
		f := newPOP3Fake(t, cert, func(f *pop3Fake) { f.implicitTLS, f.sasl = true, mechs })
		c := f.config()
		c.Credentials.Password = "wrong-Pa55word"
		_, err := DialPOP3(context.Background(), c)
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindAuth || te.Stage != StageAuth {
			t.Fatalf("SASL %v: err = %v, want KindAuth stage auth", mechs, err)
		}
		if e, _ := MAPIError(err, ""); e.ExitStatus() != 77 {
			t.Errorf("exit %d, want 77", e.ExitStatus())
		}
		if strings.Contains(err.Error(), "wrong-Pa55word") {
			t.Errorf("password in error %q", err)
		}
	}
}

func TestPOP3NoUIDL(t *testing.T) {
	for _, pipe := range []bool{false, true} {
		f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS, f.noUIDL, f.pipelining = true, true, pipe })
		f.add("x\r\n")
		_, err := DialPOP3(context.Background(), f.config())
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindConfig || !strings.Contains(te.Message, "server has no UIDL") {
			t.Fatalf("err = %v, want KindConfig 'server has no UIDL'", err)
		}
		if e, _ := MAPIError(err, ""); e.ExitStatus() != 78 {
			t.Errorf("exit %d, want 78", e.ExitStatus())
		}
	}
}

func TestPOP3RenumberedUIDLs(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS, f.renumber = true, true })
	f.add("a\r\n", "b\r\n")
	m1 := pop3Dial(t, f.config())
	ids1, got1 := pop3FetchAll(t, m1)
	m1.Close()
	m2 := pop3Dial(t, f.config())
	ids2, got2 := pop3FetchAll(t, m2)
	for i := range ids1 {
		if ids1[i] == ids2[i] || !bytes.Equal(got1[ids1[i]], got2[ids2[i]]) {
			t.Errorf("message %d: ids %q %q, contents %q %q", i, ids1[i], ids2[i], got1[ids1[i]], got2[ids2[i]])
		}
	}
	if err := m2.Fetch(context.Background(), ids1[:1], func(string, io.Reader) error { return nil }); err == nil {
		t.Error("Fetch of a UIDL from an earlier session succeeded")
	}
}

func TestPOP3DeliverErrorStopsFetch(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS, f.pipelining = true, true })
	f.add("a\r\n", "b\r\n", "c\r\n")
	m := pop3Dial(t, f.config())
	ctx := context.Background()
	stop := errors.New("disk full")
	var seen []string
	err := m.Fetch(ctx, []string{"u1", "u2", "u3"}, func(id string, r io.Reader) error {
		seen = append(seen, id)
		if id == "u2" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !slices.Equal(seen, []string{"u1", "u2"}) {
		t.Fatalf("Fetch = %v after %v, want disk full after u1 u2", err, seen)
	}
	// The session is still in step: delete the delivered one and commit.
	if err := m.Delete(ctx, []string{"u1"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if u := f.uidls(); !slices.Equal(u, []string{"u2", "u3"}) {
		t.Errorf("server holds %v", u)
	}
}

func TestPOP3DropInMessage(t *testing.T) {
	f := newPOP3Fake(t, newTestCert(t), func(f *pop3Fake) { f.implicitTLS, f.dropInRETR = true, true })
	f.add(strings.Repeat("x", 10000) + "\r\n")
	m := pop3Dial(t, f.config())
	err := m.Fetch(context.Background(), []string{"u1"}, func(id string, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTemporary || te.Stage != StageFetch {
		t.Fatalf("err = %v, want temporary, stage fetch", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close after a dropped connection: %v", err)
	}
}

func TestPOP3CancelDuringStall(t *testing.T) {
	cert := newTestCert(t)
	for _, verb := range []string{"CAPA", "RETR"} {
		f := newPOP3Fake(t, cert, func(f *pop3Fake) { f.implicitTLS, f.stallOn = true, verb })
		f.add("x\r\n")
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		var err error
		if verb == "CAPA" {
			_, err = DialPOP3(ctx, f.config())
		} else {
			m := pop3Dial(t, f.config())
			err = m.Fetch(ctx, []string{"u1"}, func(string, io.Reader) error { return nil })
			m.Close()
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: returned after %v", verb, d)
		}
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindTemporary {
			t.Errorf("%s: err = %v, want temporary", verb, err)
		}
		if e, _ := MAPIError(err, ""); e.ExitStatus() != 75 {
			t.Errorf("%s: exit %d, want 75", verb, e.ExitStatus())
		}
	}
}

func TestPOP3TranscriptRedacts(t *testing.T) {
	cert := newTestCert(t)
	for _, mechs := range [][]string{nil, {"PLAIN"}, {"SCRAM-SHA-256"}} {
		f := newPOP3Fake(t, cert, func(f *pop3Fake) { f.implicitTLS, f.sasl = true, mechs })
		f.add("Subject: secret stuff\r\n\r\nbody\r\n")
		var log bytes.Buffer
		c := f.config()
		c.Log = &log
		m := pop3Dial(t, c)
		pop3FetchAll(t, m)
		m.Close()
		out := log.String()
		for _, secret := range []string{f.pass, b64(f.pass), f.user, b64("\x00" + f.user + "\x00" + f.pass), "secret stuff"} {
			if strings.Contains(out, secret) {
				t.Errorf("SASL %v: transcript holds %q:\n%s", mechs, secret, out)
			}
		}
		want := "C: PASS [redacted]"
		if mechs != nil {
			want = "C: AUTH " + mechs[0] + " [redacted]"
		}
		for _, w := range []string{want, "S: [" + itoa(len("Subject: secret stuff\r\n\r\nbody\r\n")) + " bytes of message data]", "C: RETR 1", "C: QUIT"} {
			if !strings.Contains(out, w) {
				t.Errorf("SASL %v: transcript lacks %q:\n%s", mechs, w, out)
			}
		}
	}
}

func TestPOP3ConfigErrors(t *testing.T) {
	for _, c := range []InboundConfig{
		{},
		{Host: "a b"},
		{Host: "h", Security: "ssl"},
		{Host: "h", Auth: "cram-md5"},
		{Host: "h", Auth: "user"},
		{Host: "h", Port: 70000},
	} {
		_, err := DialPOP3(context.Background(), c)
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindConfig {
			t.Errorf("%+v: err %v, want KindConfig", c, err)
		}
	}
}
