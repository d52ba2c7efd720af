package main

// Issue 25, "Exit codes": the same failure ends with the same exit status
// in every command that can meet it (SPEC §9). Each row is one failure
// run through one command, as a real process with no terminal.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// exitEnv is one throwaway store with a profile "p" whose one transport
// section "mx" points at host:port (plain SMTP, AUTH PLAIN) with the
// credentials the test server accepts.
type exitEnv struct {
	*relStore
	extra []string // more environment for every command
}

func newExitEnv(t *testing.T, host string, port int) *exitEnv {
	t.Helper()
	e := &exitEnv{relStore: newRelStore(t)}
	e.ok(nil, "profile", "create", "p", "--default")
	e.ok(nil, "section", "create", "mx", "--transport", "smtp",
		"--set", "smtp.host="+host, "--set", "smtp.port="+strconv.Itoa(port),
		"--set", "smtp.security=none", "--set", "smtp.allow-insecure-auth=true",
		"--set", "smtp.auth=plain", "--set", "timeout=2",
		"--set", "email=me@example.com")
	e.ok(strings.NewReader(smtpTestPass+"\n"), "credential", "set", "mx", "--username", smtpTestUser, "--password-stdin")
	return e
}

// run runs mapictl ARGS (or, when args[0] is "sendmail", the binary as
// sendmail) with stdin in and returns its status, stdout and stderr.
func (e *exitEnv) run(in *strings.Reader, args ...string) (int, string, string) {
	e.t.Helper()
	name := "mapictl"
	if len(args) > 0 && args[0] == "sendmail" {
		name, args = "sendmail", args[1:]
	}
	c := exec.Command(name, args...)
	c.Env = e.env(e.extra...)
	if in != nil {
		c.Stdin = in
	}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		e.t.Fatalf("%s %v: %v", name, args, err)
	}
	return 0, out.String(), errb.String()
}

func (e *exitEnv) ok(in *strings.Reader, args ...string) string {
	e.t.Helper()
	code, out, errs := e.run(in, args...)
	if code != 0 {
		e.t.Fatalf("mapictl %v: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

// exitSMTP starts an in-process SMTP server (no TLS, AUTH PLAIN for
// smtpTestUser, RCPT answered by rules) and returns its port.
func exitSMTP(t *testing.T, rules map[string]int) int {
	t.Helper()
	s := &scriptSMTP{dir: filepath.Join(t.TempDir(), "smtp"), rules: rules}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpTestSession{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// closedPort returns a port on 127.0.0.1 nothing listens on (connection
// refused).
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// silentPort returns a port whose server accepts and never says a word
// (every step times out).
func silentPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

// nxdomainHost is a name under .invalid (RFC 6761), which a working
// resolver always answers with NXDOMAIN. Where no resolver answers (no
// network), the rows that need it are skipped: the classification itself
// is tested with constructed *net.DNSError values in internal/transport.
const nxdomainHost = "no-such-host.mapictl.invalid"

func requireNXDOMAIN(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := net.DefaultResolver.LookupHost(ctx, nxdomainHost)
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsNotFound {
		t.Skipf("the resolver does not answer NXDOMAIN for %s here (%v): see internal/transport's TestNetKind", nxdomainHost, err)
	}
}

const exitMessage = "From: me@example.com\nSubject: exit codes\n\nbody\n"

// The commands a delivery failure can meet. Each returns the exit status,
// and checks what else the command promises for that failure through
// want (the state the message ends in: queued, failed, sent).
type deliveryCmd struct {
	name string
	run  func(t *testing.T, e *exitEnv, to []string) (int, string, string)
}

var deliveryCmds = []deliveryCmd{
	{"message send", func(t *testing.T, e *exitEnv, to []string) (int, string, string) {
		args := []string{"message", "send", "--subject", "exit codes", "--body", "x"}
		for _, a := range to {
			args = append(args, "--to", a)
		}
		return e.run(nil, args...)
	}},
	{"sendmail", func(t *testing.T, e *exitEnv, to []string) (int, string, string) {
		return e.run(strings.NewReader(exitMessage), append([]string{"sendmail", "-i"}, to...)...)
	}},
	{"spool flush", func(t *testing.T, e *exitEnv, to []string) (int, string, string) {
		args := []string{"message", "send", "--queue", "--subject", "exit codes", "--body", "x"}
		for _, a := range to {
			args = append(args, "--to", a)
		}
		e.ok(nil, args...)
		return e.run(nil, "spool", "flush", "-o", "json")
	}},
}

// flushState returns the state of the one message of spool flush's -o json
// output.
func flushState(t *testing.T, out string) string {
	t.Helper()
	var v flushJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Messages) != 1 {
		t.Fatalf("spool flush -o json: %v\n%s", err, out)
	}
	return v.Messages[0].State
}

// TestExitCodesNetwork: a server that cannot be reached (refused, timed
// out) is 75 and a host that does not exist (NXDOMAIN) 69, in message send
// and session logon alike (today logon said 69 for both). sendmail and
// spool flush leave the message queued (sendmail and a flush succeed when
// the message is safely queued: exit 0, as sendmail's callers expect) or
// failed (69: sendmail exits 69, a flush moves it to spool/failed).
func TestExitCodesNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs mapictl processes")
	}
	type failure struct {
		name  string
		host  func(t *testing.T) (string, int)
		exit  int    // message send, session logon, sendmail when not queued
		st    string // the message's state after sendmail and spool flush
		msg   string // in stderr of send and logon
		stage string // in -o json
	}
	failures := []failure{
		{"refused", func(t *testing.T) (string, int) { return "127.0.0.1", closedPort(t) }, 75, "queued", "refused", "connect"},
		{"timeout", func(t *testing.T) (string, int) { return "127.0.0.1", silentPort(t) }, 75, "queued", "timed out", "ehlo"},
		{"nxdomain", func(t *testing.T) (string, int) { requireNXDOMAIN(t); return nxdomainHost, 25 }, 69, "failed", "cannot resolve host", "connect"},
	}
	for _, fl := range failures {
		t.Run(fl.name, func(t *testing.T) {
			t.Parallel()
			host, port := fl.host(t)
			t.Run("session logon", func(t *testing.T) {
				t.Parallel()
				e := newExitEnv(t, host, port)
				code, out, errs := e.run(nil, "session", "logon", "--no-input")
				if code != fl.exit || !strings.Contains(errs, fl.msg) || strings.TrimSpace(out) != "false" {
					t.Fatalf("session logon: exit %d, want %d (stderr should say %q)\nstdout: %s\nstderr: %s", code, fl.exit, fl.msg, out, errs)
				}
				code, _, errs = e.run(nil, "session", "logon", "--no-input", "-o", "json")
				if code != fl.exit || !strings.Contains(errs, `"exit":`+strconv.Itoa(fl.exit)) || !strings.Contains(errs, `"stage":"`+fl.stage+`"`) {
					t.Fatalf("session logon -o json: exit %d, want %d\n%s", code, fl.exit, errs)
				}
			})
			for _, c := range deliveryCmds {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					e := newExitEnv(t, host, port)
					code, out, errs := c.run(t, e, []string{"dana@example.com"})
					switch c.name {
					case "message send":
						if code != fl.exit || !strings.Contains(errs, fl.msg) || !strings.HasPrefix(out, fl.st+": ") {
							t.Fatalf("exit %d, want %d, %s (stderr should say %q)\nstdout: %s\nstderr: %s", code, fl.exit, fl.st, fl.msg, out, errs)
						}
					case "sendmail":
						want := fl.exit
						if fl.st == "queued" {
							want = 0 // accepted and queued: sendmail's success
						}
						if code != want || !strings.Contains(errs, fl.msg) {
							t.Fatalf("exit %d, want %d (stderr should say %q)\nstderr: %s", code, want, fl.msg, errs)
						}
					case "spool flush":
						if code != 0 || flushState(t, out) != fl.st {
							t.Fatalf("exit %d, want 0 and the message %s\nstdout: %s\nstderr: %s", code, fl.st, out, errs)
						}
					}
					if fl.st == "queued" && c.name != "message send" {
						list := e.ok(nil, "spool", "list", "-o", "json")
						if !strings.Contains(list, `"state":"queued"`) {
							t.Fatalf("the message is not queued:\n%s", list)
						}
					}
				})
			}
		})
	}
}

// TestExitCodesRecipientsRejected: every recipient rejected is 67, as when
// some are (today one rejected recipient alone gave 69), in message send
// and sendmail; a flush moves such a message to spool/failed.
func TestExitCodesRecipientsRejected(t *testing.T) {
	if testing.Short() {
		t.Skip("runs mapictl processes")
	}
	rules := map[string]int{"gone@example.com": 550, "lost@example.com": 553}
	for _, tc := range []struct {
		name string
		to   []string
		st   string // after a flush
	}{
		{"one of one", []string{"gone@example.com"}, "failed"},
		{"two of two", []string{"gone@example.com", "lost@example.com"}, "failed"},
		{"one of two", []string{"ok@example.com", "gone@example.com"}, "partial"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			port := exitSMTP(t, rules)
			for _, c := range deliveryCmds {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					e := newExitEnv(t, "127.0.0.1", port)
					code, out, errs := c.run(t, e, tc.to)
					want := 67
					if c.name == "spool flush" {
						want = 0
						if st := flushState(t, out); st != tc.st {
							t.Fatalf("flush left the message %s, want %s\n%s", st, tc.st, out)
						}
					}
					if code != want {
						t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, want, out, errs)
					}
					if want == 67 && !strings.Contains(errs, "MAPI_E_NOT_FOUND") {
						t.Fatalf("stderr lacks MAPI_E_NOT_FOUND:\n%s", errs)
					}
				})
			}
		})
	}
}

// TestExitCodesNoTerminal: a secret that would need a prompt where there is
// no terminal is MAPI_E_UNCONFIGURED (78) in every command, with a hint that
// names the non-interactive way (today credential set said 64 and a
// passphrase-protected identity 77).
func TestExitCodesNoTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs mapictl processes")
	}
	port := exitSMTP(t, nil)

	t.Run("credential set", func(t *testing.T) {
		e := newExitEnv(t, "127.0.0.1", port)
		for _, args := range [][]string{
			{"credential", "set", "mx"},
			{"credential", "set", "mx", "--field", "oauth2-token"},
			{"--no-input", "credential", "set", "mx"},
		} {
			code, _, errs := e.run(nil, args...)
			if code != 78 || !strings.Contains(errs, "MAPI_E_UNCONFIGURED") || !strings.Contains(errs, "--password-stdin") {
				t.Fatalf("%v: exit %d, want 78 with a hint naming --password-stdin\n%s", args, code, errs)
			}
		}
	})

	t.Run("session logon", func(t *testing.T) {
		e := newExitEnv(t, "127.0.0.1", port)
		e.ok(nil, "credential", "delete", "mx")
		for _, args := range [][]string{{"session", "logon"}, {"session", "logon", "--no-input"}, {"session", "logon", "-s", "mx"}} {
			code, out, errs := e.run(nil, args...)
			if code != 78 || strings.TrimSpace(out) != "false" || !strings.Contains(errs, "MAPI_E_UNCONFIGURED") ||
				!strings.Contains(errs, "credential set mx") || !strings.Contains(errs, "--password-stdin") {
				t.Fatalf("%v: exit %d, want 78 with a hint naming stored credentials\nstdout: %s\nstderr: %s", args, code, out, errs)
			}
		}
	})

	t.Run("passphrase identity", func(t *testing.T) {
		e := newExitEnv(t, "127.0.0.1", port)
		// A passphrase-protected identity file, given with -i.
		pass := filepath.Join(e.home, "pass.txt")
		if err := os.WriteFile(pass, []byte("correct horse battery\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		key := filepath.Join(e.home, "locked.key")
		withPass := func(args ...string) string {
			f, err := os.Open(pass)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			c := exec.Command("mapictl", args...)
			c.Env = e.env("MAPICTL_PASSPHRASE_FD=3")
			c.ExtraFiles = []*os.File{f}
			out, err := c.Output()
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return string(out)
		}
		withPass("identity", "new", "--passphrase", "--out", key)
		rec := strings.TrimSpace(withPass("-i", key, "identity", "show"))
		e.ok(nil, "profile", "owners", "p", "add", rec)
		e.extra = []string{"MAPICTL_IDENTITY_FILE=" + key}
		for _, args := range [][]string{
			{"section", "list"},
			{"session", "logon", "--offline"},
			{"message", "send", "--to", "dana@example.com", "--body", "x"},
			{"--no-input", "section", "list"},
		} {
			code, _, errs := e.run(nil, args...)
			if code != 78 || !strings.Contains(errs, "MAPI_E_UNCONFIGURED") || !strings.Contains(errs, "MAPICTL_PASSPHRASE_FD") {
				t.Fatalf("%v: exit %d, want 78 with a hint naming MAPICTL_PASSPHRASE_FD\n%s", args, code, errs)
			}
		}
	})
}
