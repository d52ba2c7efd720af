package spool

import (
	"context"
	"errors"
	"fmt"

	"github.com/mapictl/mapictl/internal/mapi"
)

// errInterrupted marks the error Flush returns when its context ended with
// messages left in the outbox; see [Interrupted].
var errInterrupted = errors.New("spool: flush interrupted")

// Interrupted reports whether err is (or wraps) the error Flush returns
// when its context ended before the outbox was emptied: a *mapi.Error with
// code NetworkError and exit 75 (queued for retry), whose chain also holds
// the context's error.
func Interrupted(err error) bool { return errors.Is(err, errInterrupted) }

// interruptedErr is Flush's error for ctx ended with left messages still
// queued. ids are the IDs the flush was asked for (nil: the whole outbox);
// one named ID is named in the message.
func interruptedErr(ctx context.Context, left int, ids []string) *mapi.Error {
	msg := fmt.Sprintf("interrupted: %d messages stay queued", left)
	switch {
	case len(ids) == 1 && left == 1:
		msg = "interrupted: message " + ids[0] + " stays queued"
	case left == 1:
		msg = "interrupted: 1 message stays queued"
	}
	return &mapi.Error{Code: mapi.NetworkError, Exit: mapi.ExitQueued, Msg: msg,
		Err:   errors.Join(errInterrupted, ctx.Err()),
		Hints: []string{"'mapictl spool flush' tries again"}}
}

// interruptedBy reports whether err is ctx's own ending (the transport
// explains a delivery cut short by cancelling ctx with ctx's error), not a
// failure that merely happened while ctx ended, such as a server's reply.
func interruptedBy(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}
