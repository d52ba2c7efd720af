package term

import (
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// wantCode fails t unless err is a mapi error of code c whose text holds sub.
func wantCode(t testing.TB, err error, c mapi.Code, sub string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", c.Name)
	}
	if !mapi.IsCode(err, c) {
		t.Fatalf("got %v (%s), want %s", err, mapi.AsError(err).Code.Name, c.Name)
	}
	if sub != "" && !strings.Contains(err.Error(), sub) {
		t.Fatalf("error %q does not contain %q", err, sub)
	}
}
