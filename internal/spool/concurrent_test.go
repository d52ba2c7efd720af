package spool

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/transport"
)

// TestMain lets the test binary act as a separate flushing process.
func TestMain(m *testing.M) {
	if os.Getenv("SPOOL_TEST_CHILD") == "flush" {
		if err := childFlush(); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func childFlush() error {
	id, err := age.ParseX25519Identity(os.Getenv("SPOOL_TEST_KEY"))
	if err != nil {
		return err
	}
	keys := &ageKeys{id: id, rcp: id.Recipient()}
	s, err := Open(os.Getenv("SPOOL_TEST_DIR"))
	if err != nil {
		return err
	}
	tr, err := transport.New(transport.Config{Kind: "maildir", MaildirPath: os.Getenv("SPOOL_TEST_MAIL"), Hostname: "child"})
	if err != nil {
		return err
	}
	out, err := s.Flush(context.Background(), FlushOptions{Open: keys, Seal: keys,
		Resolve: func(*Record) (transport.Transport, error) { return tr, nil }})
	if err != nil {
		return err
	}
	for _, oc := range out {
		if oc.Err != nil {
			return fmt.Errorf("%s: %v", oc.ID, oc.Err)
		}
	}
	return nil
}

// countingTransport counts deliveries per EnvID across goroutines.
type countingTransport struct {
	mu   *sync.Mutex
	seen map[string]int
}

func (c countingTransport) Send(_ context.Context, env *transport.Envelope, _ []byte) (*transport.Result, error) {
	c.mu.Lock()
	c.seen[env.EnvID]++
	c.mu.Unlock()
	return &transport.Result{Accepted: env.To}, nil
}

func (c countingTransport) Close() error { return nil }

func enqueueTagged(e *env, n int) []string {
	var ids []string
	for i := range n {
		p := testPayload()
		p.EnvID = fmt.Sprintf("msg%d", i)
		p.Message = append(p.Message, fmt.Sprintf("body %d\n", i)...)
		ids = append(ids, e.enqueue(p))
	}
	return ids
}

func TestConcurrentFlushGoroutines(t *testing.T) {
	e := newEnv(t)
	const n, flushers = 40, 4
	enqueueTagged(e, n)
	ct := countingTransport{mu: &sync.Mutex{}, seen: map[string]int{}}
	var wg sync.WaitGroup
	errs := make(chan error, flushers)
	for range flushers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &Spool{Dir: e.s.Dir}
			_, err := s.Flush(context.Background(), FlushOptions{Open: e.keys, Seal: e.keys,
				Resolve: func(*Record) (transport.Transport, error) { return ct, nil }})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(ct.seen) != n {
		t.Fatalf("delivered %d distinct messages, want %d", len(ct.seen), n)
	}
	for k, v := range ct.seen {
		if v != 1 {
			t.Errorf("%s delivered %d times", k, v)
		}
	}
	checkAllSent(t, e, n)
}

func checkAllSent(t *testing.T, e *env, n int) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(e.sentLog()), "\n")
	ids := map[string]bool{}
	for _, l := range lines {
		ids[l[7:33]] = true
	}
	if len(lines) != n || len(ids) != n {
		t.Fatalf("sent.log has %d lines, %d ids", len(lines), len(ids))
	}
	for _, f := range e.files() {
		if f != sentLog {
			t.Errorf("left behind: %s", f)
		}
	}
}

// TestConcurrentFlushProcesses runs three flushing processes (this test
// binary re-executed) on one spool.
func TestConcurrentFlushProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	e := newEnv(t)
	const n = 40
	enqueueTagged(e, n)
	mail := filepath.Join(t.TempDir(), "mail")
	var cmds []*exec.Cmd
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SPOOL_TEST_CHILD=flush", "SPOOL_TEST_DIR="+e.s.Dir,
			"SPOOL_TEST_KEY="+e.keys.id.String(), "SPOOL_TEST_MAIL="+mail)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := filepath.Glob(filepath.Join(mail, "new", "*"))
	bodies := map[string]bool{}
	for _, g := range got {
		b, _ := os.ReadFile(g)
		bodies[string(b)] = true
	}
	if len(got) != n || len(bodies) != n {
		t.Fatalf("maildir has %d messages (%d distinct), want %d", len(got), len(bodies), n)
	}
	checkAllSent(t, e, n)
}
