package main

import (
	"context"
	"os"

	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/term"
)

// prompts is the factory's part that asks the user: the run's one
// Prompter and the context its prompts run under.
type prompts struct {
	// Prompter asks every question of the run; nil: the controlling
	// terminal (term.TTY). Tests may put a scripted one here.
	Prompter term.Prompter
	// ctx is the run's context (main's, cancelled by SIGINT and SIGTERM),
	// kept here for the prompts secure asks through a PassphraseFunc or an
	// age plugin UI, which take none; nil: context.Background().
	ctx context.Context
}

// setPromptContext makes ctx the context of the run's prompts and hands
// secure the age plugin UI that asks through the run's Prompter under it.
func (f *factory) setPromptContext(ctx context.Context) {
	f.ctx = ctx
	secure.SetPluginUI(term.PluginUI(ctx, f.prompter(), os.Stderr))
}

// prompter is the run's Prompter.
func (f *factory) prompter() term.Prompter {
	if f.Prompter == nil {
		f.Prompter = term.TTY{}
	}
	return armedPrompter{f.Prompter}
}

// CanPrompt reports whether a prompt is allowed (no --no-input) and
// possible (the Prompter can ask).
func (f *factory) CanPrompt() bool { return !f.noInput() && f.prompter().CanPrompt() }

// askSecret asks prompt without echo under the run's context.
func (f *factory) askSecret(prompt string) ([]byte, error) {
	return f.prompter().Secret(f.context(), prompt)
}

// askLine asks prompt, echoed, under the run's context.
func (f *factory) askLine(prompt string) (string, error) {
	return f.prompter().Line(f.context(), prompt)
}

// confirm asks a yes/no question (term.Confirm: y or yes is yes).
func (f *factory) confirm(question string) (bool, error) {
	return term.Confirm(f.context(), f.prompter(), question)
}
