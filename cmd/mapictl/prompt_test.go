package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/secure"
)

// fakePrompter answers every question with answer and records them.
type fakePrompter struct {
	can    bool
	answer string
	asked  []string
	ctx    context.Context
}

func (p *fakePrompter) CanPrompt() bool { return p.can }

func (p *fakePrompter) Secret(ctx context.Context, prompt string) ([]byte, error) {
	p.asked, p.ctx = append(p.asked, prompt), ctx
	return []byte(p.answer), nil
}

func (p *fakePrompter) Line(ctx context.Context, prompt string) (string, error) {
	p.asked, p.ctx = append(p.asked, prompt), ctx
	return p.answer, nil
}

// TestFactoryPrompts: the factory asks through its one Prompter, under the
// run's context, and --no-input forbids a prompt the Prompter could make.
func TestFactoryPrompts(t *testing.T) {
	f := newFactory(strings.NewReader(""), io.Discard, io.Discard)
	p := &fakePrompter{can: true, answer: "yes"}
	f.Prompter = p
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, 1)
	f.setPromptContext(ctx)
	t.Cleanup(func() { secure.SetPluginUI(nil) }) // as before any run
	if !f.CanPrompt() {
		t.Fatal("CanPrompt() = false")
	}
	for _, v := range []string{"1", "true", "yes"} {
		f.v.Set("no-input", v)
		if f.CanPrompt() {
			t.Fatalf("CanPrompt() = true with no-input %q", v)
		}
	}
	f.v.Set("no-input", "")
	p.can = false
	if f.CanPrompt() {
		t.Fatal("CanPrompt() = true when the Prompter cannot ask")
	}
	if ok, err := f.confirm("Delete profile x? [y/N] "); err != nil || !ok {
		t.Fatalf("confirm = %v, %v", ok, err)
	}
	if b, err := f.askSecret("Password:"); err != nil || string(b) != "yes" {
		t.Fatalf("askSecret = %q, %v", b, err)
	}
	if len(p.asked) != 2 || p.ctx != ctx {
		t.Fatalf("asked %q under %v", p.asked, p.ctx)
	}
}
