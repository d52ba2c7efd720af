package spool

import (
	"reflect"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// FuzzRecord: decoding any bytes as a record never panics; what decodes
// encodes and decodes again to the same record.
func FuzzRecord(f *testing.F) {
	const id = "0000000000abcdefghijklmnop"
	r := &Record{ID: id, Profile: "work", SectionUID: "s", State: StateQueued, Attempts: 2,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), ErrorKind: "temporary", Rev: 1}
	b, _ := encodeRecord(r)
	f.Add(b)
	f.Add([]byte(`{"id":"` + id + `","state":"failed","session":"` + id + `"}`))
	f.Add([]byte(`{"id":"` + id + `","state":"queued","attempts":-1}`))
	f.Add([]byte(`{"id":"` + id + `","state":"queued","created":"2026-13-01T00:00:00Z"}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`{"id":"` + id + `","state":"queued","created":"9999-12-31T23:00:00-05:00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(id, data)
		if err != nil {
			if r != nil {
				t.Fatal("record with error")
			}
			return
		}
		b, err := encodeRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := decodeRecord(id, b)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, b)
		}
		// Times compare by instant (encoding normalises to UTC).
		for _, p := range []struct{ a, b *time.Time }{{&r.Created, &r2.Created}, {&r.NextAttempt, &r2.NextAttempt}, {&r.LastAttempt, &r2.LastAttempt}} {
			if !p.a.Equal(*p.b) {
				t.Fatalf("time changed: %v -> %v", *p.a, *p.b)
			}
			*p.a, *p.b = time.Time{}, time.Time{}
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip: %+v != %+v", r, r2)
		}
		b2, _ := encodeRecord(r2)
		if b3, _ := encodeRecord(r); string(b2) != string(b3) {
			t.Fatalf("encoding not stable")
		}
	})
}

// FuzzScanName: any name in a spool directory is taken as one of a
// message's files only when it is one (ID.age, ID.json, ID.lock, or a temp
// file .ID.RANDOM.tmp of a valid ID), and never panics; whatever it is, a
// clean entry has a whole pair.
func FuzzScanName(f *testing.F) {
	const id = "0000000000abcdefghijklmnop"
	for _, n := range []string{id + ".age", id + ".json", id + ".lock", "." + id + ".0123456789ab.tmp",
		id, ".tmp", "." + id + ".tmp", id + ".age.tmp", "..", ".", "key", "sent.log", id[:25] + ".age", id + "..json"} {
		f.Add(n, true)
		f.Add(n, false)
	}
	f.Fuzz(func(t *testing.T, name string, outbox bool) {
		dir := failedDir
		if outbox {
			dir = outboxDir
		}
		ix := &index{m: map[string]*entry{}}
		ix.add(dir, name)
		for got, e := range ix.m {
			if !mapi.ValidID(got) {
				t.Fatalf("%q taken as message %q", name, got)
			}
			temp := tempID(name) == got
			known := name == got+".age" || name == got+".json" || name == got+".lock"
			if !temp && !known && (e.oa || e.oj || e.fa || e.fj || e.lock) {
				t.Fatalf("%q taken as a file of %s: %+v", name, got, e)
			}
			if temp != (len(e.temps) == 1) {
				t.Fatalf("%q: temp %v, temps %v", name, temp, e.temps)
			}
			if e.clean() && !(e.oa && e.oj || e.fa && e.fj) {
				t.Fatalf("%q: a clean entry without a whole pair: %+v", name, e)
			}
		}
	})
}
