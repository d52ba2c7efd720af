package secure

import (
	"fmt"
	"os"
	"strings"

	"filippo.io/age/plugin"
)

// pluginUI is how age plugins (e.g. age-plugin-yubikey) talk to the user:
// messages go to stderr as "mapictl: NAME plugin: …", values and
// confirmations are asked on the controlling terminal ([ReadSecret],
// [ReadLine]).
func pluginUI() *plugin.ClientUI {
	return &plugin.ClientUI{
		DisplayMessage: func(name, msg string) error {
			fmt.Fprintf(os.Stderr, "mapictl: %s plugin: %s\n", name, msg)
			return nil
		},
		RequestValue: func(name, prompt string, secret bool) (string, error) {
			if secret {
				b, err := ReadSecret(prompt)
				return string(b), err
			}
			return ReadLine(prompt)
		},
		Confirm: func(name, prompt, yes, no string) (bool, error) {
			if no == "" {
				_, err := ReadSecret(fmt.Sprintf("%s (press enter for %q)", prompt, yes))
				return err == nil, err
			}
			for {
				s, err := ReadLine(fmt.Sprintf("%s (type 1 for %q or 2 for %q)", prompt, yes, no))
				if err != nil {
					return false, err
				}
				switch strings.TrimSpace(s) {
				case "1":
					return true, nil
				case "2":
					return false, nil
				}
			}
		},
		WaitTimer: func(name string) {
			fmt.Fprintf(os.Stderr, "mapictl: waiting on %s plugin...\n", name)
		},
	}
}
