package account

import (
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// A stored username without a password is reported as a missing password,
// and the hint stores the password alone; the section is quoted as a shell
// needs it.
func TestMissingSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		section, user  string
		inbound, stdin bool
		msg, hint      string
	}{
		{"work", "", false, true, `section "work" has no stored credentials`,
			"store them with 'mapictl credential set work --username USER --password-stdin' (the password on standard input)"},
		{"my mx", "dana", false, true, `section "my mx" has a stored username but no password`,
			"store the password with 'mapictl credential set \"my mx\" --password-stdin' (the password on standard input)"},
		{"my mx", "dana", false, false, `section "my mx" has a stored username but no password`,
			"store the password with 'mapictl credential set \"my mx\"'"},
		{"gmail", "in", true, true, `section "gmail" has a stored username but no password`,
			"store the password with 'mapictl credential set gmail --inbound --password-stdin' (the password on standard input)"},
	} {
		e := missingSecret(tc.section, tc.user, tc.inbound, tc.stdin, "last")
		if e.Code != mapi.Unconfigured || !strings.HasPrefix(e.Msg, tc.msg) || len(e.Hints) != 2 || e.Hints[0] != tc.hint || e.Hints[1] != "last" {
			t.Errorf("%+v: got %q %q", tc, e.Msg, e.Hints)
		}
	}
}
