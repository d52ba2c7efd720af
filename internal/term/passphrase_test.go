package term

import (
	"context"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Passphrase: the fd first, else the prompt when allowed, else
// MAPI_E_UNCONFIGURED; a malformed fd is MAPI_E_INVALID_PARAMETER.
func TestPassphrase(t *testing.T) {
	ctx := context.Background()
	yes, no := func() bool { return true }, func() bool { return false }
	p := &scripted{answers: []string{"typed"}}
	if b, err := Passphrase(ctx, p, yes, "")("Passphrase:"); err != nil || string(b) != "typed" || len(p.asked) != 1 || !p.secret[0] {
		t.Errorf("prompt: %q, %v, asked %q", b, err, p.asked)
	}
	if _, err := Passphrase(ctx, p, no, "")("Passphrase:"); !mapi.IsCode(err, mapi.Unconfigured) || len(mapi.AsError(err).Hints) != 1 {
		t.Errorf("no prompt: %v; want MAPI_E_UNCONFIGURED with a hint", err)
	}
	for _, bad := range []string{"x", "-1"} {
		if _, err := Passphrase(ctx, p, yes, bad)("Passphrase:"); !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("fd %q: %v; want MAPI_E_INVALID_PARAMETER", bad, err)
		}
	}
	// A valid fd is read by PassphraseFromFD (TestPassphraseFromFD), which
	// caches per fd number for the process: not read again here.
}
