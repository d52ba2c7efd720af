package secure

import (
	"fmt"
	"os"
	"sync/atomic"

	"filippo.io/age/plugin"

	"github.com/mapictl/mapictl/internal/mapi"
)

// clientUI is the age plugin UI set by SetPluginUI; nil: noPromptUI.
var clientUI atomic.Pointer[plugin.ClientUI]

// SetPluginUI sets, for the rest of the process, how age plugins (plugin
// identities and recipients, e.g. age-plugin-yubikey) talk to the user:
// this package knows no terminal, so the command line hands it one
// (internal/term's PluginUI). It applies to identities and recipients
// parsed afterwards. nil restores the default: messages to stderr, and a
// plugin that asks for a value or a confirmation gets MAPI_E_UNCONFIGURED.
func SetPluginUI(ui *plugin.ClientUI) { clientUI.Store(ui) }

// pluginUI is the UI given to plugin identities and recipients when parsed.
func pluginUI() *plugin.ClientUI {
	if ui := clientUI.Load(); ui != nil {
		return ui
	}
	return noPromptUI
}

// noPromptUI is the plugin UI before SetPluginUI: nobody to ask.
var noPromptUI = &plugin.ClientUI{
	DisplayMessage: func(name, msg string) error {
		fmt.Fprintf(os.Stderr, "mapictl: %s plugin: %s\n", name, msg)
		return nil
	},
	RequestValue: func(name, prompt string, secret bool) (string, error) {
		return "", noPrompt(name)
	},
	Confirm: func(name, prompt, yes, no string) (bool, error) {
		return false, noPrompt(name)
	},
	WaitTimer: func(name string) {
		fmt.Fprintf(os.Stderr, "mapictl: waiting on %s plugin...\n", name)
	},
}

func noPrompt(name string) error {
	return mapi.Errorf(mapi.Unconfigured, "the %s plugin asks for input and there is no prompt to ask on", name)
}
