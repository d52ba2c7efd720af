package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/mapictl/mapictl/internal/term"
)

// Main's context is cancelled by the first SIGINT or SIGTERM, which then no
// longer ends the process by its default action: the command stops cleanly
// and exits with a code of its own (a flush with messages left: 75; a
// prompt: 130, the terminal restored). A second signal is not caught: it
// ends the process as usual, the way out of a step that does not honour
// the context.
//
// The handlers are installed only when work that needs them begins
// (armInterrupt): a prompt, a delivery, a flush, a logon. os/signal costs
// every process that installs a handler two more OS threads (its
// signal-mask thread and the receiving loop), measured at 0.9 ms, 13%, of
// `mapictl version` and 10% of `credential get` (docs/performance.md);
// a short command that neither prompts nor connects keeps the default
// action, which is what it had to offer anyway: nothing to stop cleanly.

// interruptKey keys main's *interrupt in its context.
type interruptKey struct{}

// interrupt cancels main's context once armed and signalled.
type interrupt struct {
	once   sync.Once
	cancel context.CancelFunc
}

// interruptContext is main's context, with nothing armed yet.
func interruptContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	return context.WithValue(ctx, interruptKey{}, &interrupt{cancel: cancel})
}

// armInterrupt makes the first SIGINT or SIGTERM cancel ctx, when ctx
// derives from interruptContext; else (a test's context) it does nothing.
// Arming twice arms once. (SIGTERM is in syscall on every platform mapictl
// builds for.)
func armInterrupt(ctx context.Context) {
	i, ok := ctx.Value(interruptKey{}).(*interrupt)
	if !ok {
		return
	}
	i.once.Do(func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		go func() {
			<-c
			signal.Stop(c)
			i.cancel()
		}()
	})
}

// armedPrompter arms the interrupt before each prompt, so that a signal at
// a prompt cancels it (exit 130, echo restored) instead of killing the
// process with the terminal in no-echo mode.
type armedPrompter struct{ term.Prompter }

func (p armedPrompter) Secret(ctx context.Context, prompt string) ([]byte, error) {
	armInterrupt(ctx)
	return p.Prompter.Secret(ctx, prompt)
}

func (p armedPrompter) Line(ctx context.Context, prompt string) (string, error) {
	armInterrupt(ctx)
	return p.Prompter.Line(ctx, prompt)
}
