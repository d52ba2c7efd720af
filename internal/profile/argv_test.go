package profile

import (
	"slices"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// inbound.mda is split shell-like, without a shell: quotes group, nothing
// expands, metacharacters are plain bytes.
func TestSplitArgv(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"/usr/bin/procmail", []string{"/usr/bin/procmail"}},
		{"  procmail   -d  dana ", []string{"procmail", "-d", "dana"}},
		{"notmuch insert --folder=inbox +inbox", []string{"notmuch", "insert", "--folder=inbox", "+inbox"}},
		{`maildrop -d 'Dana Scully'`, []string{"maildrop", "-d", "Dana Scully"}},
		{`prog "a \"b\" c" 'x\y'`, []string{"prog", `a "b" c`, `x\y`}},
		{`prog "back\\slash" "keep\n"`, []string{"prog", `back\slash`, `keep\n`}},
		{`prog a\ b \'c`, []string{"prog", "a b", "'c"}},
		{`prog "" ''`, []string{"prog", "", ""}},
		{`prog $HOME ~ *.txt | tee >out`, []string{"prog", "$HOME", "~", "*.txt", "|", "tee", ">out"}},
		{"prog\tx\ny", []string{"prog", "x", "y"}},
		{`pre"fix"'ed'`, []string{"prefixed"}},
	} {
		got, err := SplitArgv(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SplitArgv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "   ", `prog 'open`, `prog "open`, `prog \`, "prog\x00x", `"" arg`} {
		if got, err := SplitArgv(in); !mapi.IsCode(err, mapi.InvalidParameter) {
			t.Errorf("SplitArgv(%q) = %q, %v; want MAPI_E_INVALID_PARAMETER", in, got, err)
		}
	}
}
