package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// countServer is a plain SMTP server (no TLS, no AUTH) on loopback that
// accepts every message and records, per Subject, how many times it came
// and with which Message-IDs.
type countServer struct {
	port int

	mu       sync.Mutex
	subjects map[string]int // Subject -> deliveries
	msgIDs   map[string]int // Message-ID -> deliveries
	total    int
}

// newCountServer starts a countServer; it is closed when the test ends.
func newCountServer(t *testing.T) *countServer {
	t.Helper()
	c := &countServer{subjects: map[string]int{}, msgIDs: map[string]int{}}
	c.port = serveSMTP(t, smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return countSession{c}, nil }))
	return c
}

// serveSMTP serves be with go-smtp on a loopback port (plain text, no
// AUTH) until the test ends, and returns the port.
func serveSMTP(t *testing.T, be smtp.Backend) int {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 20*time.Second, 20*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

type countSession struct{ c *countServer }

func (s countSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s countSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s countSession) Reset()                               {}
func (s countSession) Logout() error                        { return nil }

func (s countSession) Data(r io.Reader) error {
	h, err := textproto.NewReader(bufio.NewReader(r)).ReadMIMEHeader()
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.total++
	s.c.subjects[h.Get("Subject")]++
	s.c.msgIDs[h.Get("Message-Id")]++
	return nil
}

// check fails t unless the server got each of want exactly once and
// nothing else, with as many distinct Message-IDs.
func (c *countServer) check(t *testing.T, want []string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing, dup, extra []string
	wanted := map[string]bool{}
	for _, s := range want {
		wanted[s] = true
		switch n := c.subjects[s]; {
		case n == 0:
			missing = append(missing, s)
		case n > 1:
			dup = append(dup, fmt.Sprintf("%s×%d", s, n))
		}
	}
	for s := range c.subjects {
		if !wanted[s] {
			extra = append(extra, s)
		}
	}
	sort.Strings(missing)
	sort.Strings(dup)
	if len(missing)+len(dup)+len(extra) > 0 || c.total != len(want) || len(c.msgIDs) != len(want) {
		t.Errorf("server got %d messages (%d distinct Message-IDs), want %d once each;\nmissing %d %v\nduplicated %v\nunexpected %v",
			c.total, len(c.msgIDs), len(want), len(missing), head(missing, 10), head(dup, 10), head(extra, 10))
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], "…")
	}
	return s
}

// procResult is one mapictl process that did not exit 0.
type procResult struct {
	args   []string
	code   int
	stderr string
}

// procTimeout bounds one mapictl process of these tests: a send that waits
// for ever (a lock never released) is killed and reported, not left to
// hang the test binary.
const procTimeout = time.Minute

// runProc runs mapictl ARGS as a process of s, safe from any goroutine: a
// process that cannot start, or that is killed after procTimeout, is
// reported with code -1.
func runProc(s *relStore, args ...string) procResult {
	c := s.cmd(args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		return procResult{args, -1, err.Error()}
	}
	var killed atomic.Bool
	timer := time.AfterFunc(procTimeout, func() { killed.Store(true); _ = c.Process.Kill() })
	err := c.Wait()
	timer.Stop()
	var ee *exec.ExitError
	switch {
	case killed.Load():
		return procResult{args, -1, fmt.Sprintf("killed after %v\n%s%s", procTimeout, out.String(), errb.String())}
	case errors.As(err, &ee):
		return procResult{args, ee.ExitCode(), out.String() + errb.String()}
	case err != nil:
		return procResult{args, -1, err.Error()}
	}
	return procResult{args: args}
}

// failures collects the processes that did not exit 0.
type failures struct {
	mu   sync.Mutex
	list []procResult
}

func (f *failures) add(r procResult) {
	if r.code == 0 {
		return
	}
	f.mu.Lock()
	f.list = append(f.list, r)
	f.mu.Unlock()
}

// report fails t with the count and the first few failures.
func (f *failures) report(t *testing.T, what string, total int) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.list) == 0 {
		return
	}
	var b strings.Builder
	for i, r := range f.list {
		if i == 5 {
			fmt.Fprintf(&b, "… and %d more\n", len(f.list)-5)
			break
		}
		fmt.Fprintf(&b, "mapictl %s: exit %d\n%s", strings.Join(r.args, " "), r.code, r.stderr)
	}
	t.Errorf("%d of %d %s did not exit 0:\n%s", len(f.list), total, what, b.String())
}

// parallelStore makes a store with profile p and section mx (the default)
// to srv, over plain SMTP without authentication.
func parallelStore(t *testing.T, srv *countServer) *relStore {
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	s.must("section", "create", "mx", "--transport", "smtp", "--set", "smtp.host=127.0.0.1",
		"--set", "smtp.port="+itoa(srv.port), "--set", "smtp.security=none", "--set", "smtp.auth=none",
		"--set", "email=me@example.com")
	return s
}

// queueDeferred queues n messages to a second section, down, whose server
// refuses connections, and flushes them once so that they stay queued and
// not due (the outage a CI spool may carry): every recovery pass of the
// spool has them to go through.
func queueDeferred(t *testing.T, s *relStore, n int) {
	t.Helper()
	s.must("section", "create", "down", "--transport", "smtp", "--set", "smtp.host=127.0.0.1",
		"--set", "smtp.port=1", "--set", "smtp.security=none", "--set", "smtp.auth=none",
		"--set", "email=me@example.com", "--set", "timeout=2")
	var fails failures
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				fails.add(runProc(s, "message", "send", "--queue", "--transport", "down",
					"--to", "dana@example.com", "--subject", fmt.Sprintf("down-%d", i), "--body", "b"))
			}
		})
	}
	wg.Wait()
	fails.report(t, "queued sends", n)
	// The flush defers them all: still queued (exit 0), with a next attempt
	// to come.
	if r := runProc(s, "spool", "flush"); r.code != 0 {
		t.Fatalf("spool flush of the down section: exit %d\n%s", r.code, r.stderr)
	}
	list := spoolList(t, s)
	for _, m := range list {
		if m.Section != "down" || m.State != "queued" || m.Attempts != 1 || m.NextAttempt == nil || !m.NextAttempt.After(time.Now()) {
			t.Fatalf("after the flush to the down section: %+v, want queued, 1 attempt, not due", m)
		}
	}
	if len(list) != n {
		t.Fatalf("after the flush to the down section: %d messages queued, want %d", len(list), n)
	}
}

// listedMsg is one message of `spool list -o json`, decoded here apart from
// the command's own type so that the test reads the JSON users read.
type listedMsg struct {
	ID          string     `json:"id"`
	Section     string     `json:"section"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt"`
}

// spoolList returns what `spool list -o json` prints.
func spoolList(t *testing.T, s *relStore) []listedMsg {
	t.Helper()
	var list []listedMsg
	out := s.must("spool", "list", "-o", "json")
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("spool list -o json: %v\n%s", err, out)
	}
	return list
}

// sendAll runs workers goroutines, each running per `message send`
// processes one after another (subject PREFIX-W-I), and returns the
// subjects sent.
func sendAll(s *relStore, fails *failures, prefix string, workers, per int) []string {
	var wg sync.WaitGroup
	var subjects []string
	for w := range workers {
		for i := range per {
			subjects = append(subjects, fmt.Sprintf("%s-%d-%d", prefix, w, i))
		}
		wg.Go(func() {
			for i := range per {
				fails.add(runProc(s, "message", "send", "--to", "dana@example.com",
					"--subject", fmt.Sprintf("%s-%d-%d", prefix, w, i), "--body", "b"))
			}
		})
	}
	wg.Wait()
	return subjects
}

// TestParallelSenders is issue 29's load: 8 processes each running 40
// `message send` one after another, all at once, to a healthy server, with
// a spool that also holds 50 deferred messages of a section that is down
// (a CI spool after an outage; each send's recovery pass has them to go
// through too, which makes the race of issue 29 show in most runs). Every
// send exits 0, the server gets the 320 messages once each, and only the
// deferred messages stay in the spool.
func TestParallelSenders(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 400 processes")
	}
	const workers, per, deferred = 8, 40, 50
	srv := newCountServer(t)
	s := parallelStore(t, srv)
	start := time.Now()
	queueDeferred(t, s, deferred)
	t.Logf("queued and deferred %d messages in %v", deferred, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	var fails failures
	subjects := sendAll(s, &fails, "par", workers, per)
	t.Logf("%d sends in %v", len(subjects), time.Since(start).Round(time.Millisecond))
	fails.report(t, "sends", len(subjects))
	srv.check(t, subjects)
	var left []string
	down := 0
	for _, m := range spoolList(t, s) {
		if m.Section == "down" {
			down++
		} else {
			left = append(left, fmt.Sprintf("%s %s %s attempts=%d", m.ID, m.Section, m.State, m.Attempts))
		}
	}
	if len(left) != 0 {
		t.Errorf("spool list after the sends holds %d messages of the healthy section: %v", len(left), head(left, 10))
	}
	if down != deferred {
		t.Errorf("spool list after the sends holds %d messages of the down section, want the %d deferred", down, deferred)
	}
}

// TestParallelSendersWithFlush runs 4 goroutines of 20 `message send` each
// while another runs `spool flush` in a loop until they are done: every
// send exits 0 (a message taken by the flush is reported as the flush's
// outcome), every message reaches the server exactly once (sent by the
// flush and by its own send would be a duplicate), and the spool ends
// empty.
func TestParallelSendersWithFlush(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 100 processes")
	}
	const workers, per = 4, 20
	srv := newCountServer(t)
	s := parallelStore(t, srv)

	start := time.Now()
	var fails, flushFails failures
	done := make(chan struct{})
	var flushes atomic.Int64
	var fwg sync.WaitGroup
	fwg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			flushFails.add(runProc(s, "spool", "flush"))
			flushes.Add(1)
		}
	})
	subjects := sendAll(s, &fails, "flush", workers, per)
	close(done)
	fwg.Wait()
	t.Logf("%d sends and %d flushes in %v", len(subjects), flushes.Load(), time.Since(start).Round(time.Millisecond))
	fails.report(t, "sends", len(subjects))
	flushFails.report(t, "flushes", int(flushes.Load()))
	srv.check(t, subjects)
	if left := spoolList(t, s); len(left) != 0 {
		t.Errorf("spool list after the sends holds %d messages: %+v", len(left), left[:min(len(left), 10)])
	}
}
