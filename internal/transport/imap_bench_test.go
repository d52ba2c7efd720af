package transport

import (
	"context"
	"io"
	"runtime"
	"testing"
)

// BenchmarkIMAPFetch50MB fetches one 50 MB message from a server that
// generates it on the fly, and fails when the client allocated more than
// imapBenchMaxAlloc bytes for it: the literal is streamed into deliver,
// never held. It reports the bytes allocated per fetch (B/op and
// alloc-bytes/fetch, the latter measured around Fetch alone).
func BenchmarkIMAPFetch50MB(b *testing.B) {
	const size = 50 << 20
	const imapBenchMaxAlloc = 4 << 20
	fs := startIMAPFake(b, imapFake{big: size})
	ctx := context.Background()
	buf := make([]byte, 32<<10)
	b.SetBytes(size)
	b.ReportAllocs()
	var ms runtime.MemStats
	var total uint64
	for b.Loop() {
		m, err := DialIMAP(ctx, fs.config())
		if err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		var n int64
		err = m.Fetch(ctx, []string{"1"}, func(_ string, r io.Reader) error {
			var err error
			n, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
			return err
		})
		runtime.ReadMemStats(&ms)
		alloc := ms.TotalAlloc - before
		total += alloc
		if err != nil || n != size {
			b.Fatalf("Fetch: %d bytes, %v", n, err)
		}
		if alloc > imapBenchMaxAlloc {
			b.Fatalf("fetching %d bytes allocated %d bytes (bound %d)", size, alloc, imapBenchMaxAlloc)
		}
		m.Close()
	}
	b.ReportMetric(float64(total)/float64(b.N), "alloc-bytes/fetch")
}
