// Command mapictl manages MAPI-style encrypted mail profiles, sessions and
// an outgoing spooler from the command line. See SPEC.md and docs/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(run(signalContext(), os.Args, os.Stdin, os.Stdout, os.Stderr)) }

// signalContext returns the process's context: cancelled by the first
// SIGINT or SIGTERM, which then no longer end the process by their default
// action; the command stops cleanly and exits with a code of its own (a
// flush with messages left: 75). A second signal is not caught: it ends
// the process as usual, the way out of a step that does not honour the
// context. (SIGTERM is in syscall on every platform mapictl builds for.)
func signalContext() context.Context {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx
}
