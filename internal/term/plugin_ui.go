package term

import (
	"context"
	"fmt"
	"io"
	"strings"

	"filippo.io/age/plugin"
)

// PluginUI is how age plugins (e.g. age-plugin-yubikey) talk to the user:
// messages go to w as "mapictl: NAME plugin: …", values and confirmations
// are asked with p under ctx. A confirmation with no "no" choice is a
// secret prompt answered by Enter; one with both is asked until the answer
// is 1 (yes) or 2 (no). Errors are p's, unchanged.
func PluginUI(ctx context.Context, p Prompter, w io.Writer) *plugin.ClientUI {
	return &plugin.ClientUI{
		DisplayMessage: func(name, msg string) error {
			fmt.Fprintf(w, "mapictl: %s plugin: %s\n", name, msg)
			return nil
		},
		RequestValue: func(name, prompt string, secret bool) (string, error) {
			if secret {
				b, err := p.Secret(ctx, prompt)
				return string(b), err
			}
			return p.Line(ctx, prompt)
		},
		Confirm: func(name, prompt, yes, no string) (bool, error) {
			if no == "" {
				_, err := p.Secret(ctx, fmt.Sprintf("%s (press enter for %q)", prompt, yes))
				return err == nil, err
			}
			for {
				s, err := p.Line(ctx, fmt.Sprintf("%s (type 1 for %q or 2 for %q)", prompt, yes, no))
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
			fmt.Fprintf(w, "mapictl: waiting on %s plugin...\n", name)
		},
	}
}
