//go:build gendocs

package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The committed docs/cli and docs/man are what scripts/gen-docs.sh writes
// now (but for the month in each man page's .TH line):
// go test -tags gendocs ./cmd/mapictl -run Gendoc
func TestGendocCommittedDocsAreCurrent(t *testing.T) {
	dir := t.TempDir()
	md, man := filepath.Join(dir, "cli"), filepath.Join(dir, "man")
	root := newRootCmd(newFactory(strings.NewReader(""), io.Discard, io.Discard))
	root.SetArgs([]string{"gen-docs", md, man})
	if err := root.Execute(); err != nil {
		t.Fatalf("gen-docs: %v", err)
	}
	th := regexp.MustCompile(`(?m)^\.TH .*$`)
	for _, sub := range []string{"cli", "man"} {
		fresh, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		committed, _ := filepath.Glob(filepath.Join("..", "..", "docs", sub, "*"))
		if len(fresh) != len(committed) {
			t.Errorf("docs/%s has %d files, gen-docs writes %d: run scripts/gen-docs.sh", sub, len(committed), len(fresh))
		}
		for _, p := range fresh {
			want, _ := os.ReadFile(p)
			got, err := os.ReadFile(filepath.Join("..", "..", "docs", sub, filepath.Base(p)))
			if err != nil || !bytes.Equal(th.ReplaceAll(got, nil), th.ReplaceAll(want, nil)) {
				t.Errorf("docs/%s/%s is not current: run scripts/gen-docs.sh", sub, filepath.Base(p))
			}
		}
	}
}
