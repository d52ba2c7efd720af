package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// sink is an SMTP backend on loopback that accepts every message and keeps
// its envelope sender and data.
type sink struct {
	mu    sync.Mutex
	froms []string
	datas [][]byte
}

type sinkSession struct {
	s    *sink
	from string
}

func (s *sinkSession) Reset()                                      {}
func (s *sinkSession) Logout() error                               { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *sinkSession) Rcpt(string, *smtp.RcptOptions) error        { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.froms = append(s.s.froms, s.from)
	s.s.datas = append(s.s.datas, b)
	return nil
}

// mapictl builds cmd/mapictl into a temporary directory and returns a
// function running it on store (no input), failing the test on a non-zero
// exit.
func mapictl(t *testing.T, store string) func(args ...string) []byte {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := filepath.Join(t.TempDir(), "mapictl")
	if out, err := exec.Command(goBin, "build", "-o", bin, "../../cmd/mapictl").CombinedOutput(); err != nil {
		t.Fatalf("go build mapictl: %v\n%s", err, out)
	}
	return func(args ...string) []byte {
		t.Helper()
		c := exec.Command(bin, args...)
		c.Env = append(os.Environ(), "MAPICTL_STORE="+store, "MAPICTL_NO_INPUT=1",
			"MAPICTL_PROFILE=", "MAPICTL_SESSION=", "MAPICTL_IDENTITY=", "MAPICTL_IDENTITY_FILE=", "MAPICTL_CONFIG=")
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("mapictl %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return out
	}
}

// TestFillIsFlushedByMapictl fills 50 messages into a store made by mapictl
// and checks that mapictl lists them as queued for the default transport
// and that its flush delivers every one, as queued, to a real SMTP server;
// a section the profile lacks is MAPI_E_NOT_FOUND (66).
func TestFillIsFlushedByMapictl(t *testing.T) {
	for _, k := range []string{"MAPICTL_STORE", "MAPICTL_PROFILE", "MAPICTL_IDENTITY", "MAPICTL_IDENTITY_FILE", "MAPICTL_CONFIG"} {
		t.Setenv(k, "")
	}
	sk := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: sk}, nil }))
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	store := filepath.Join(t.TempDir(), "store")
	m := mapictl(t, store)
	m("profile", "create", "bench", "--default")
	m("section", "create", "mailpit", "--transport", "smtp", "--set", "smtp.host=127.0.0.1",
		"--set", "smtp.port="+strconv.Itoa(l.Addr().(*net.TCPAddr).Port), "--set", "smtp.security=none",
		"--set", "smtp.auth=none", "--set", "email=ci@example.com")

	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-store", store, "-n", "50", "-j", "4", "-to", "dest@example.org"}, &stderr); code != 0 {
		t.Fatalf("spoolfill: exit %d\n%s", code, stderr.Bytes())
	}
	if got := stderr.String(); got != "queued 50\n" {
		t.Errorf("stderr %q, want only the count", got)
	}

	var list []struct {
		State, Section string
		Recipients     []string
	}
	if err := json.Unmarshal(m("spool", "list", "-o", "json"), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 50 {
		t.Fatalf("spool list: %d messages, want 50", len(list))
	}
	for _, r := range list {
		if r.State != "queued" || r.Section != "mailpit" || len(r.Recipients) != 1 || r.Recipients[0] != "dest@example.org" {
			t.Fatalf("spool list: %+v", r)
		}
	}

	m("spool", "flush")
	sk.mu.Lock()
	defer sk.mu.Unlock()
	if len(sk.datas) != 50 {
		t.Fatalf("the server got %d messages, want 50", len(sk.datas))
	}
	subjects := map[string]bool{}
	for i, d := range sk.datas {
		if sk.froms[i] != "ci@example.com" || !bytes.Contains(d, []byte("Nobody reads it.")) || len(d) > 1500 {
			t.Fatalf("message %d from %q, %d bytes:\n%s", i, sk.froms[i], len(d), d)
		}
		for _, line := range strings.Split(string(d), "\r\n") {
			if strings.HasPrefix(line, "Subject: ") {
				subjects[line] = true
			}
		}
	}
	if len(subjects) != 50 {
		t.Errorf("%d distinct subjects, want 50 (each message numbered once)", len(subjects))
	}
	if out := m("spool", "list", "-o", "json"); strings.TrimSpace(string(out)) != "[]" {
		t.Errorf("spool list after the flush: %s", out)
	}

	stderr.Reset()
	if code := run(context.Background(), []string{"-store", store, "-n", "1", "-section", "nope"}, &stderr); code != 66 ||
		!strings.Contains(stderr.String(), `section "nope" not found`) || strings.Contains(stderr.String(), "queued") {
		t.Errorf("-section nope: exit %d, stderr %q; want 66 (MAPI_E_NOT_FOUND)", code, stderr.String())
	}
}

// TestFillErrors: a store without a profile is mapictl's 64, bad flags
// 64; nothing is counted as queued.
func TestFillErrors(t *testing.T) {
	for _, k := range []string{"MAPICTL_STORE", "MAPICTL_PROFILE", "MAPICTL_IDENTITY", "MAPICTL_IDENTITY_FILE", "MAPICTL_CONFIG"} {
		t.Setenv(k, "")
	}
	empty := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-store", empty, "-n", "1"}, 64, "no default profile"},
		{[]string{"-store", empty, "-n", "0"}, 64, "usage"},
		{[]string{"-store", empty, "-n", "1", "extra"}, 64, "usage"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stderr); code != c.code || !strings.Contains(stderr.String(), c.want) ||
			strings.Contains(stderr.String(), "queued") {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}
