package inbound

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// Messages as servers send them: bare CR, NUL, a leading dot, 8-bit
// headers, no body, two with the same Message-ID.
var testBodies = []string{
	"Subject: one\r\nMessage-ID: <same@x>\r\n\r\nbody one\r\n",
	"Subject: two\r\nMessage-ID: <same@x>\r\n\r\nbody two\r\n",
	"Subject: cr\r\n\r\nbare\rcr and \x00 nul\r\n",
	"Subject: dot\r\n\r\n.leading dot\r\n..two\r\n",
	"Subject: caf\xc3\xa9 8bit\r\nFrom: J\xc3\xbcrgen <j@x>\r\n\r\nhi\r\n",
	"Subject: no body\r\n\r\n",
}

var testAccount = Account{ProfileUID: "p-uid", SectionUID: "s-uid", Host: "imap.example.net",
	User: "dana@example.com", Mailbox: "INBOX", Protocol: "imap"}

type fixture struct {
	store, md string
	a         Account
}

func newFixture(t *testing.T) *fixture {
	d := t.TempDir()
	return &fixture{store: filepath.Join(d, "store"), md: filepath.Join(d, "inbox", "p", "s"), a: testAccount}
}

func (fx *fixture) opts(keep bool) Options {
	return Options{Maildir: fx.md, Keep: keep, LockTimeout: time.Second}
}

func (fx *fixture) fetch(t *testing.T, src Source, o Options) (Result, error) {
	t.Helper()
	return Fetch(context.Background(), fx.store, fx.a, src, o)
}

func (fx *fixture) mustFetch(t *testing.T, src Source, o Options) Result {
	t.Helper()
	res, err := fx.fetch(t, src, o)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	return res
}

func (fx *fixture) journalPath() string {
	return filepath.Join(fx.store, "inbound", journalName(fx.a)+".journal")
}

func TestFetchOnceIntoMaildir(t *testing.T) {
	fx := newFixture(t)
	src := newFake("42", testBodies...)
	var progress []int
	o := fx.opts(true)
	o.Progress = func(done, total int) { progress = append(progress, done) }
	res := fx.mustFetch(t, src, o)
	if res.Fetched != len(testBodies) || res.Deleted != 0 || len(res.Errors) != 0 {
		t.Fatalf("result %+v", res)
	}
	if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
		t.Fatalf("maildir %q", got)
	}
	if len(progress) != len(testBodies)+1 || progress[len(progress)-1] != len(testBodies) {
		t.Errorf("progress %v", progress)
	}
	res = fx.mustFetch(t, src, o)
	if res.Fetched != 0 {
		t.Fatalf("second fetch fetched %d", res.Fetched)
	}
	if got := maildirBodies(t, fx.md); len(got) != len(testBodies) {
		t.Fatalf("maildir after a second fetch: %d messages", len(got))
	}
	src.add("7", "Subject: new\r\n\r\nnew\r\n")
	if res := fx.mustFetch(t, src, o); res.Fetched != 1 {
		t.Fatalf("new mail: fetched %d", res.Fetched)
	}
	for _, d := range []string{fx.md, filepath.Join(fx.md, "tmp"), filepath.Join(fx.md, "new"), filepath.Join(fx.md, "cur"), filepath.Join(fx.store, "inbound")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v", d, fi.Mode(), err)
		}
	}
	fi, err := os.Stat(fx.journalPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal: %v %v", fi, err)
	}
	j, _ := os.ReadFile(fx.journalPath())
	for _, secret := range []string{"example", "dana", "INBOX", "Subject", "one", "p-uid", "s-uid"} {
		if strings.Contains(string(j), secret) {
			t.Errorf("journal holds %q:\n%s", secret, j)
		}
	}
	if tmp, _ := os.ReadDir(filepath.Join(fx.md, "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ left: %v", tmp)
	}
}

// Two accounts with equal UIDVALIDITY and UIDs, and two profiles with a
// section of one name, never share a journal or a Maildir name.
func TestNamesAreDistinct(t *testing.T) {
	a, b := testAccount, testAccount
	b.ProfileUID = "other"
	c := testAccount
	c.User = "eve@example.com"
	if journalName(a) == journalName(b) || journalName(a) == journalName(c) {
		t.Fatal("journal names collide")
	}
	if messageName(a, "1", "1") == messageName(b, "1", "1") || messageName(a, "1", "1") == messageName(a, "2", "1") {
		t.Fatal("message names collide")
	}
	if n := messageName(a, "1", "1"); strings.ContainsAny(n, ":/") || !strings.HasSuffix(n, ".mapictl") {
		t.Fatalf("name %q", n)
	}
}

func TestConnectionDroppedMidBody(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies...)
	src.dropID = "3"
	_, err := fx.fetch(t, src, fx.opts(false))
	if !errors.Is(err, errDropped) {
		t.Fatalf("err %v", err)
	}
	if len(src.Msgs) != len(testBodies) {
		t.Fatalf("something was deleted after a failed fetch")
	}
	src.dropID = ""
	res := fx.mustFetch(t, src, fx.opts(false))
	if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
		t.Fatalf("maildir %q", got)
	}
	if len(src.Msgs) != 0 || res.Deleted != len(testBodies) {
		t.Fatalf("left on the server %d, deleted %d", len(src.Msgs), res.Deleted)
	}
}

func TestKeepFalseDeletesOnlyAfterCommit(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies[:3]...)
	fx.mustFetch(t, src, fx.opts(true)) // delivered while keep was true
	src.add("9", "Subject: later\r\n\r\nx\r\n")
	src.commitErr = &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageDelete, Message: "dropped"}
	if _, err := fx.fetch(t, src, fx.opts(false)); err == nil {
		t.Fatal("no error from a failed commit")
	}
	j, err := readJournal(fx.journalPath())
	if err != nil || len(j.entries) != 4 {
		t.Fatalf("journal forgot before the commit: %v %v", j.entries, err)
	}
	src.commitErr = nil
	res := fx.mustFetch(t, src, fx.opts(false))
	if res.Deleted != 4 || len(src.Msgs) != 0 || res.Fetched != 0 {
		t.Fatalf("result %+v, left %d", res, len(src.Msgs))
	}
	if j, _ := readJournal(fx.journalPath()); len(j.entries) != 0 {
		t.Errorf("journal still holds %d entries", len(j.entries))
	}
	if got := maildirBodies(t, fx.md); len(got) != 4 {
		t.Fatalf("maildir %d", len(got))
	}
}

func TestKeepFalseWithoutUIDPLUS(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies...)
	src.NoDelete = true
	_, err := fx.fetch(t, src, fx.opts(false))
	if me := mapi.AsError(err); me.ExitStatus() != 78 {
		t.Fatalf("err %v (exit %d)", err, me.ExitStatus())
	}
	if len(src.fetched) != 0 {
		t.Fatal("fetched before refusing")
	}
}

func TestUIDValidityChanged(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies[0], testBodies[2], testBodies[2])
	fx.mustFetch(t, src, fx.opts(true))
	// Recreated mailbox: new validity, renumbered, one more identical copy and a new one.
	src = newFake("2", testBodies[2], testBodies[0], testBodies[2], testBodies[2], testBodies[3])
	_, err := fx.fetch(t, src, fx.opts(true))
	me := mapi.AsError(err)
	if me.Code != mapi.CorruptData || me.ExitStatus() != 65 || len(me.Hints) == 0 || !strings.Contains(me.Hints[0], "--resync") {
		t.Fatalf("err %v %+v", err, me)
	}
	o := fx.opts(true)
	o.Resync = true
	res := fx.mustFetch(t, src, o)
	if res.Fetched != 2 {
		t.Fatalf("resync fetched %d, want 2 (the third copy and the new one)", res.Fetched)
	}
	want := sorted(testBodies[0], testBodies[2], testBodies[2], testBodies[2], testBodies[3])
	if got := maildirBodies(t, fx.md); !equal(got, want) {
		t.Fatalf("maildir %q", got)
	}
	if res := fx.mustFetch(t, src, fx.opts(true)); res.Fetched != 0 {
		t.Fatalf("after resync fetched %d", res.Fetched)
	}
	j, _ := readJournal(fx.journalPath())
	if j.validity != "2" || len(j.stale) != 0 {
		t.Fatalf("journal validity %q stale %v", j.validity, j.stale)
	}
}

// A resync interrupted by a dropped connection goes on matching content on
// the next run (without --resync: the new validity is recorded).
func TestResyncInterrupted(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies[:4]...)
	fx.mustFetch(t, src, fx.opts(true))
	src = newFake("2", testBodies[:4]...)
	src.dropID = "3"
	o := fx.opts(true)
	o.Resync = true
	if _, err := fx.fetch(t, src, o); !errors.Is(err, errDropped) {
		t.Fatalf("err %v", err)
	}
	src.dropID = ""
	if res := fx.mustFetch(t, src, fx.opts(true)); res.Fetched != 0 {
		t.Fatalf("fetched %d after an interrupted resync", res.Fetched)
	}
	if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies[:4]...)) {
		t.Fatalf("maildir %q", got)
	}
}

func TestPOP3Renumbered(t *testing.T) {
	fx := newFixture(t)
	fx.a.Protocol, fx.a.Mailbox = "pop3", ""
	src := newFake("")
	src.add("uidl-a", testBodies[0])
	src.add("uidl-b", testBodies[2])
	src.add("uidl-c", testBodies[2])
	fx.mustFetch(t, src, fx.opts(true))
	// The server renumbers every UIDL; one identical copy and one new arrive.
	src = newFake("")
	src.add("x1", testBodies[2])
	src.add("x2", testBodies[0])
	src.add("x3", testBodies[2])
	src.add("x4", testBodies[2])
	src.add("x5", testBodies[4])
	res := fx.mustFetch(t, src, fx.opts(true))
	if res.Fetched != 2 {
		t.Fatalf("fetched %d, want 2", res.Fetched)
	}
	want := sorted(testBodies[0], testBodies[2], testBodies[2], testBodies[2], testBodies[4])
	if got := maildirBodies(t, fx.md); !equal(got, want) {
		t.Fatalf("maildir %q", got)
	}
	// Emptied from webmail, then the same text arrives anew: delivered.
	src = newFake("")
	fx.mustFetch(t, src, fx.opts(true))
	src.add("y1", testBodies[0])
	if res := fx.mustFetch(t, src, fx.opts(true)); res.Fetched != 1 {
		t.Fatalf("new mail after an emptied mailbox: fetched %d", res.Fetched)
	}
}

func TestMaxSizeLimitDryRun(t *testing.T) {
	fx := newFixture(t)
	src := newFake("5", testBodies...)
	src.add("99", "Subject: big\r\n\r\n"+strings.Repeat("x", 1000)+"\r\n")
	o := fx.opts(true)
	o.DryRun = true
	res := fx.mustFetch(t, src, o)
	if len(res.Pending) != len(testBodies)+1 || res.Fetched != 0 {
		t.Fatalf("dry run %+v", res)
	}
	if _, err := os.Stat(filepath.Dir(fx.md)); !os.IsNotExist(err) {
		t.Fatalf("dry run created the Maildir: %v", err)
	}
	if _, err := os.Stat(fx.store); !os.IsNotExist(err) {
		t.Fatalf("dry run wrote the store: %v", err)
	}
	o = fx.opts(true)
	o.MaxSize, o.Limit = 500, 2
	res = fx.mustFetch(t, src, o)
	if res.Fetched != 2 || res.Skipped != 1 || len(res.Skips) != 1 || res.Skips[0].ID != "99" {
		t.Fatalf("result %+v", res)
	}
	o.Limit = 0
	if res = fx.mustFetch(t, src, o); res.Fetched != len(testBodies)-2 || res.Skipped != 1 {
		t.Fatalf("result %+v", res)
	}
	o.DryRun = true
	if res = fx.mustFetch(t, src, o); len(res.Pending) != 0 {
		t.Fatalf("dry run after: %+v", res)
	}
}

func TestSecondFetchWaitsThenBusy(t *testing.T) {
	fx := newFixture(t)
	if err := os.MkdirAll(filepath.Join(fx.store, "inbound"), 0o700); err != nil {
		t.Fatal(err)
	}
	fl := flock.New(fx.journalPath() + ".lock")
	if err := fl.Lock(); err != nil {
		t.Fatal(err)
	}
	defer fl.Unlock()
	o := fx.opts(true)
	o.LockTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err := fx.fetch(t, newFake("1", testBodies...), o)
	if me := mapi.AsError(err); me.Code != mapi.Busy || me.ExitStatus() != 75 {
		t.Fatalf("err %v", err)
	}
	if d := time.Since(start); d < o.LockTimeout {
		t.Fatalf("gave up after %v", d)
	}
	if _, err := os.Stat(fx.md); !os.IsNotExist(err) {
		t.Fatal("the waiting fetch touched the Maildir")
	}
}

// fullDisk fails every write once limit bytes went through.
type fullDisk struct {
	w     io.Writer
	limit *int
}

func (f fullDisk) Write(p []byte) (int, error) {
	if len(p) > *f.limit {
		n, _ := f.w.Write(p[:*f.limit])
		*f.limit = 0
		return n, syscall.ENOSPC
	}
	*f.limit -= len(p)
	return f.w.Write(p)
}

func TestFullDiskLosesNothing(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies...)
	limit := len(testBodies[0]) + len(testBodies[1]) + 10
	testOnlyWriter = func(w io.Writer) io.Writer { return fullDisk{w, &limit} }
	_, err := fx.fetch(t, src, fx.opts(false))
	testOnlyWriter = nil
	var te *transport.Error
	if !errors.As(err, &te) || te.Stage != transport.StageDeliver || te.Kind != transport.KindTemporary || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err %v", err)
	}
	if len(src.Msgs) != len(testBodies) {
		t.Fatal("deleted after a failed delivery")
	}
	if tmp, _ := os.ReadDir(filepath.Join(fx.md, "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ left: %v", tmp)
	}
	fx.mustFetch(t, src, fx.opts(false))
	if got := maildirBodies(t, fx.md); !equal(got, sorted(testBodies...)) {
		t.Fatalf("maildir %q", got)
	}
	if len(src.Msgs) != 0 {
		t.Fatal("not deleted")
	}
}

func TestTornJournalRecord(t *testing.T) {
	fx := newFixture(t)
	src := newFake("1", testBodies[:2]...)
	fx.mustFetch(t, src, fx.opts(true))
	f, err := os.OpenFile(fx.journalPath(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"t":"d","id":"3","d":"ab`) // torn by a crash
	f.Close()
	src.add("3", testBodies[3])
	if res := fx.mustFetch(t, src, fx.opts(true)); res.Fetched != 1 {
		t.Fatalf("fetched %d", res.Fetched)
	}
	if got := maildirBodies(t, fx.md); len(got) != 3 {
		t.Fatalf("maildir %d", len(got))
	}
	os.WriteFile(fx.journalPath(), []byte("{\"t\":\"h\",\"ver\":1}\ngarbage\n"), 0o600)
	if _, err := fx.fetch(t, src, fx.opts(true)); !mapi.IsCode(err, mapi.CorruptData) {
		t.Fatalf("garbage journal: %v", err)
	}
}
