// Package term asks the user things on the controlling terminal, behind a
// small [Prompter] (as restic's ui.Terminal and the GitHub CLI's Prompter),
// and reads passphrases from a file descriptor for scripts
// ([PassphraseFromFD]). It holds no crypto and imports nothing of mapictl's
// but internal/mapi: internal/secure is handed what it needs from here as
// plain functions (a PassphraseFunc, an age plugin UI from [PluginUI]).
//
// Every prompt takes a context: when it is cancelled (SIGINT or SIGTERM in
// mapictl) a prompt blocked on the terminal returns MAPI_E_USER_CANCEL
// with the terminal restored, as Ctrl-C typed at the prompt does.
package term

import (
	"context"
	"strings"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Prompter asks the user for input. Errors of Secret and Line:
// MAPI_E_USER_CANCEL when the user cancels (Ctrl-C, Ctrl-D on an empty
// line) or ctx is cancelled; MAPI_E_UNCONFIGURED when there is no one to
// ask; MAPI_E_DISK_ERROR when reading fails.
type Prompter interface {
	// CanPrompt reports whether a prompt is possible now (for a terminal:
	// the controlling terminal opens, whatever stdin and stdout are).
	CanPrompt() bool
	// Secret prints prompt and reads a line without echo. The caller
	// should wipe the result when done with it.
	Secret(ctx context.Context, prompt string) ([]byte, error)
	// Line prints prompt and reads an echoed line (e.g. a username),
	// without its line ending.
	Line(ctx context.Context, prompt string) (string, error)
}

// Confirm asks question with p.Line and reports whether the answer is
// "y" or "yes" (any case, surrounding space ignored); any other answer,
// an empty one included, is no. Errors are p.Line's.
func Confirm(ctx context.Context, p Prompter, question string) (bool, error) {
	ans, err := p.Line(ctx, question)
	if err != nil {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(ans))
	return a == "y" || a == "yes", nil
}

// errCancel is the error of a prompt the user (or the context) cancelled.
func errCancel() error { return mapi.Errorf(mapi.UserCancel, "cancelled at the prompt") }
