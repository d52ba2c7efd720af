package main

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every top-level command is added to the tree, each once, and they are
// the commands docs/cli documents (cobra adds completion and help when the
// tree executes): a command written and not added, or added twice, fails.
func TestTopLevelNames(t *testing.T) {
	f := newFactory(strings.NewReader(""), io.Discard, io.Discard)
	var built []string
	for _, c := range newRootCmd(f).Commands() {
		if !c.Hidden {
			built = append(built, c.Name())
		}
	}
	slices.Sort(built)
	if len(slices.Compact(slices.Clone(built))) != len(built) {
		t.Fatalf("a top-level command is added twice: %q", built)
	}
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "cli", "mapictl_*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "mapictl_"), ".md")
		if !strings.Contains(name, "_") && name != "completion" {
			documented = append(documented, name)
		}
	}
	if len(documented) == 0 {
		t.Fatal("no docs/cli pages found")
	}
	slices.Sort(documented)
	if !slices.Equal(built, documented) {
		t.Fatalf("tree has %q, docs/cli documents %q", built, documented)
	}
}

// Every subcommand the docs name is in the tree: a subcommand written but
// not added to its parent fails.
func TestSubcommandsDocumented(t *testing.T) {
	f := newFactory(strings.NewReader(""), io.Discard, io.Discard)
	root := newRootCmd(f)
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "cli", "mapictl_*_*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		path := strings.Split(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "mapictl_"), ".md"), "_")
		if path[0] == "completion" {
			continue
		}
		c, rest, err := root.Find(path)
		if err != nil || len(rest) != 0 || c.Name() != path[len(path)-1] {
			t.Errorf("%s: documented, not in the tree", strings.Join(path, " "))
		}
	}
	if len(pages) < 40 {
		t.Fatalf("found %d subcommand pages in docs/cli", len(pages))
	}
}
