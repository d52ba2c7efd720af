package inbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-message/textproto"

	"bufio"
)

// fakeMsg is one message on a fakeSource.
type fakeMsg struct {
	ID   string `json:"id"`
	Body []byte `json:"body"`
}

// fakeSource is an in-memory Source with faults to inject. With file set
// it is saved there after every Commit (for tests across processes).
type fakeSource struct {
	mu        sync.Mutex
	V         string    `json:"validity"`
	Msgs      []fakeMsg `json:"msgs"`
	NoDelete  bool      `json:"no_delete"`
	file      string
	marked    map[string]bool
	fetched   []string // every ID handed to deliver
	dropID    string   // the connection drops in the middle of this message's body
	commitErr error    // Commit fails with this
	listErr   error
}

func newFake(validity string, bodies ...string) *fakeSource {
	f := &fakeSource{V: validity}
	for i, b := range bodies {
		f.add(fmt.Sprint(i+1), b)
	}
	return f
}

func (f *fakeSource) add(id, body string) {
	f.Msgs = append(f.Msgs, fakeMsg{ID: id, Body: []byte(body)})
}

func (f *fakeSource) Validity() string { return f.V }
func (f *fakeSource) CanDelete() bool  { return !f.NoDelete }

func (f *fakeSource) List(context.Context) ([]string, []int64, error) {
	if f.listErr != nil {
		return nil, nil, f.listErr
	}
	var ids []string
	var sizes []int64
	for _, m := range f.Msgs {
		ids = append(ids, m.ID)
		sizes = append(sizes, int64(len(m.Body)))
	}
	return ids, sizes, nil
}

var errDropped = errors.New("fetch: connection reset by peer")

func (f *fakeSource) Fetch(ctx context.Context, ids []string, deliver func(string, io.Reader) error) error {
	for _, id := range ids {
		m := f.find(id)
		if m == nil {
			continue // expunged meanwhile
		}
		f.fetched = append(f.fetched, id)
		var r io.Reader = bytes.NewReader(m.Body)
		if id == f.dropID {
			r = io.MultiReader(bytes.NewReader(m.Body[:len(m.Body)/2]), errReader{errDropped})
		}
		if err := deliver(id, r); err != nil {
			return err
		}
	}
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func (f *fakeSource) find(id string) *fakeMsg {
	for i := range f.Msgs {
		if f.Msgs[i].ID == id {
			return &f.Msgs[i]
		}
	}
	return nil
}

func (f *fakeSource) Delete(_ context.Context, ids []string) error {
	if f.marked == nil {
		f.marked = map[string]bool{}
	}
	for _, id := range ids {
		f.marked[id] = true
	}
	return nil
}

func (f *fakeSource) Commit(context.Context) error {
	if f.commitErr != nil {
		f.marked = nil
		return f.commitErr
	}
	var keep []fakeMsg
	for _, m := range f.Msgs {
		if !f.marked[m.ID] {
			keep = append(keep, m)
		}
	}
	f.Msgs, f.marked = keep, nil
	if f.file != "" {
		return f.save()
	}
	return nil
}

func (f *fakeSource) Close() error { f.marked = nil; return nil }

func (f *fakeSource) save() error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp := f.file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, f.file)
}

func loadFake(file string) (*fakeSource, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	f := &fakeSource{file: file}
	return f, json.Unmarshal(b, f)
}

// bodies returns the source's message bodies, sorted.
func (f *fakeSource) bodies() []string {
	var out []string
	for _, m := range f.Msgs {
		out = append(out, string(m.Body))
	}
	sort.Strings(out)
	return out
}

// maildirBodies reads every message in md's new/ and cur/ (parsing each
// header with go-message's textproto, as a mail reader would) and returns
// the bodies, sorted. tmp/ must hold nothing but what an intent names.
func maildirBodies(t *testing.T, md string) []string {
	t.Helper()
	var out []string
	for _, d := range []string{"new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(md, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(md, d, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(e.Name(), "/") || strings.HasPrefix(e.Name(), ".") {
				t.Errorf("bad Maildir name %q", e.Name())
			}
			if len(b) > 0 && !bytes.HasPrefix(b, []byte("\r\n")) {
				if _, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(b))); err != nil {
					t.Errorf("%s/%s: header does not parse: %v", d, e.Name(), err)
				}
			}
			out = append(out, string(b))
		}
	}
	sort.Strings(out)
	return out
}

func sorted(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
