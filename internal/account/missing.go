package account

import (
	"fmt"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// missingSecret is MAPI_E_UNCONFIGURED (78) for section, whose logon
// secret is not stored and which may not prompt. username is the stored
// username of the side that lacks it: when there is one the message says
// the password is missing and the hint stores the password alone (credential
// set keeps the username), else both; inbound adds --inbound (the inbound
// side's own logon). The hint names the section as a shell needs it, reads
// the password from standard input when stdin (a script's form), else from
// credential set's no-echo prompt; last is the hint after it.
func missingSecret(section, username string, inbound, stdin bool, last string) *mapi.Error {
	cmd := "mapictl credential set " + textsafe.ShellArg(section)
	if inbound {
		cmd += " --inbound"
	}
	msg, what := fmt.Sprintf("section %q has no stored credentials and prompting is not allowed", section), "them"
	if username != "" {
		msg, what = fmt.Sprintf("section %q has a stored username but no password, and prompting is not allowed", section), "the password"
	} else {
		cmd += " --username USER"
	}
	hint := "store " + what + " with '" + cmd + "'"
	if stdin {
		hint = "store " + what + " with '" + cmd + " --password-stdin' (the password on standard input)"
	}
	return mapi.Errorf(mapi.Unconfigured, "%s", msg).WithHint(hint, last)
}
