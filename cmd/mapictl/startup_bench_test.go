package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// BenchmarkNewRootCmd is the cost every invocation pays to build the command
// tree before cobra picks the command to run.
func BenchmarkNewRootCmd(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f := newFactory(strings.NewReader(""), io.Discard, io.Discard)
		_ = harden(f, newRootCmd(f))
	}
}

// BenchmarkRunVersion is a whole `mapictl version` in-process: tree, flags,
// config, output.
func BenchmarkRunVersion(b *testing.B) {
	b.Setenv("MAPICTL_STORE", b.TempDir())
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"mapictl", "version"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
