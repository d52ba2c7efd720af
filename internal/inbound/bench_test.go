package inbound

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// genSource serves n generated messages of size bytes each without
// holding them: message i is a header naming i and filler.
type genSource struct {
	n    int
	size int
}

func (g genSource) Validity() string { return "1" }
func (g genSource) CanDelete() bool  { return true }

func (g genSource) List(context.Context) ([]string, []int64, error) {
	ids := make([]string, g.n)
	sizes := make([]int64, g.n)
	for i := range ids {
		ids[i], sizes[i] = strconv.Itoa(i+1), int64(g.size)
	}
	return ids, sizes, nil
}

func (g genSource) Fetch(_ context.Context, ids []string, deliver func(string, io.Reader) error) error {
	for _, id := range ids {
		head := fmt.Sprintf("Subject: %s\r\n\r\n", id)
		body := io.LimitReader(fillReader{}, int64(max(g.size-len(head), 0)))
		if err := deliver(id, io.MultiReader(bytes.NewReader([]byte(head)), body)); err != nil {
			return err
		}
	}
	return nil
}

func (genSource) Delete(context.Context, []string) error { return nil }
func (genSource) Commit(context.Context) error           { return nil }
func (genSource) Close() error                           { return nil }

type fillReader struct{}

func (fillReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
		if i%76 == 75 {
			p[i] = '\n'
		}
	}
	return len(p), nil
}

// BenchmarkFirstFetch fetches n small messages into an empty Maildir with
// an empty journal: the time per message (ns/msg) stays flat from 1,000 to
// 100,000 (append-only journal, one compaction at the end).
//
//	go test ./internal/inbound -run '^$' -bench FirstFetch -benchtime 1x
func BenchmarkFirstFetch(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				d := b.TempDir()
				b.StartTimer()
				res, err := Fetch(context.Background(), filepath.Join(d, "store"), testAccount, genSource{n: n, size: 200},
					Options{Maildir: filepath.Join(d, "md"), Keep: true})
				if err != nil || res.Fetched != n {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
		})
	}
}

// BenchmarkLargeMessage fetches one 50 MB message and reports the peak
// heap in use: it stays far below the message's size (streamed, never
// buffered). The assertion is on the metric, not on time.
func BenchmarkLargeMessage(b *testing.B) {
	const size = 50 << 20
	for b.Loop() {
		b.StopTimer()
		d := b.TempDir()
		runtime.GC()
		b.StartTimer()
		done := make(chan struct{})
		peak := make(chan uint64)
		go func() {
			var m runtime.MemStats
			var top uint64
			for {
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapInuse)
				select {
				case <-done:
					peak <- top
					return
				default:
					runtime.Gosched()
				}
			}
		}()
		res, err := Fetch(context.Background(), filepath.Join(d, "store"), testAccount, genSource{n: 1, size: size},
			Options{Maildir: filepath.Join(d, "md"), Keep: true})
		close(done)
		top := <-peak
		if err != nil || res.Bytes != size {
			b.Fatalf("%+v %v", res, err)
		}
		b.ReportMetric(float64(top)/(1<<20), "peak-heap-MB")
		if top > 16<<20 {
			b.Fatalf("peak heap %d MB for a 50 MB message", top>>20)
		}
	}
}
