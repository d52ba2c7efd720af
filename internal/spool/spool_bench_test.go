package spool

import (
	"bytes"
	"testing"
)

// BenchmarkEnqueue seals and durably writes one 4 KiB message to the outbox
// (payload, record, fsyncs, claim) with a real age key.
func BenchmarkEnqueue(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	k := newKeys(b)
	msg := bytes.Repeat([]byte("x"), 4096)
	b.ReportAllocs()
	for b.Loop() {
		p := &Payload{From: "ci@example.com", To: []string{"a@example.org"}, Message: msg}
		if _, err := s.Enqueue(k, "bench", "0123456789abcdef0123456789abcdef", "", p); err != nil {
			b.Fatal(err)
		}
	}
}
