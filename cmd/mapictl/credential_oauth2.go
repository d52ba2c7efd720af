package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	xterm "golang.org/x/term"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/oauth"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// credentialOAuth2Options are credential oauth2's argument and flags.
type credentialOAuth2Options struct {
	Section         string
	Device, Browser bool
}

// credentialOAuth2JSON is credential oauth2's -o json value.
type credentialOAuth2JSON struct {
	Section   string `json:"section"`
	User      string `json:"user"`
	Flow      string `json:"flow"`
	TokenFile string `json:"token_file"`
}

func newCredentialOAuth2Cmd(f *factory) *cobra.Command {
	opts := &credentialOAuth2Options{}
	cmd := &cobra.Command{
		Use:   "oauth2 SECTION [--device | --browser]",
		Short: "Sign a section in with its OAuth 2.0 provider (tokens kept in this store)",
		Long: `Run the OAuth 2.0 logon dialog of a section whose oauth2.provider is set, and keep
the tokens in this store's token file for the section (<store>/oauth/), sealed to
the store's identity and its live sessions: never in the profile, which this
command only reads (each reader of a shared section signs in on their own).

--device prints a URL and a code to enter there, on any device, and waits; it
works without a terminal (CI). --browser prints the provider's address, opens it
in a browser when it can, and waits for the provider to redirect to 127.0.0.1.
--browser is the default only with a display (macOS, Windows, or DISPLAY or
WAYLAND_DISPLAY set), a terminal on stdin and stderr, and without --no-input;
otherwise --device is. Either wait ends after 15 minutes (the device code's own
expiry if sooner) with exit 77, "sign-in not completed"; Ctrl-C stops it (130).

Mail is then sent and fetched with the tokens (SASL OAUTHBEARER or XOAUTH2),
refreshed as they expire. Run it again when the provider refuses them (77).`,
		Example: `  mapictl section set work oauth2.provider=microsoft oauth2.client-id=APP-ID
  mapictl credential oauth2 work
  mapictl credential oauth2 gmail --device`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeSections,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Section = args[0]
			return runCredentialOAuth2(cmd.Context(), opts, f)
		},
	}
	cmd.Flags().BoolVar(&opts.Device, "device", false, "device authorization: print a URL and a code, wait")
	cmd.Flags().BoolVar(&opts.Browser, "browser", false, "authorization in a browser, redirected to 127.0.0.1")
	cmd.MarkFlagsMutuallyExclusive("device", "browser")
	return cmd
}

// runCredentialOAuth2 signs the section in (account.SignIn) and says as
// whom and where the tokens are kept.
func runCredentialOAuth2(ctx context.Context, opts *credentialOAuth2Options, f *factory) error {
	armInterrupt(ctx) // Ctrl-C ends the wait: 130 (interrupt.go)
	r := f.accounts(nil)
	a, err := r.Section(opts.Section)
	if err != nil {
		return err
	}
	ids, err := f.Identities()
	if err != nil {
		return err
	}
	display := hasDisplay()
	browser := opts.Browser || !opts.Device && display && f.interactiveTerminal() && !f.noInput()
	so := account.SignInOptions{StoreRoot: f.StoreDir(), IDs: ids, Browser: browser, Now: nowFunc(),
		Deadline: signInDeadline(),
		Show: func(c oauth.DeviceCode) {
			fmt.Fprintf(f.IO.Err, "To sign in, open %s and enter the code %s\n",
				textsafe.Escape(c.VerificationURI), textsafe.Escape(c.UserCode))
		},
		Open: func(u string) {
			fmt.Fprintf(f.IO.Err, "To sign in, open %s\n", textsafe.Escape(u))
			if display {
				openBrowser(u)
			}
		},
	}
	res, err := account.SignIn(ctx, a, so)
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		flow := "device"
		if browser {
			flow = "browser"
		}
		return f.printJSON(credentialOAuth2JSON{Section: a.Name, User: res.User, Flow: flow, TokenFile: res.Path})
	}
	f.printf("signed in as %s; tokens kept in this store (%s), not in the profile\n", textsafe.Escape(res.User), filepath.Dir(res.Path))
	return nil
}

// testOnlySignInDeadline replaces account.DefaultSignInDeadline; set only
// by the test binary (main_test.go).
var testOnlySignInDeadline time.Duration

// signInDeadline is how long credential oauth2 waits for the user.
func signInDeadline() time.Duration {
	if testOnlySignInDeadline > 0 {
		return testOnlySignInDeadline
	}
	return account.DefaultSignInDeadline
}

// interactiveTerminal reports whether stdin and stderr are both terminals:
// someone is there to use a browser and come back (under CI, cron or a
// pipe, one of them is not).
func (f *factory) interactiveTerminal() bool {
	for _, s := range []any{f.IO.In, f.IO.Err} {
		fl, ok := s.(*os.File)
		if !ok || !xterm.IsTerminal(int(fl.Fd())) {
			return false
		}
	}
	return true
}

// hasDisplay reports whether a browser can be opened here: a graphical
// session on unix (DISPLAY or WAYLAND_DISPLAY), or macOS and Windows.
func hasDisplay() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

// openBrowser starts the platform's URL opener on u, best effort: the
// address is printed anyway, and a failure is not reported.
func openBrowser(u string) {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		c = exec.Command("open", u)
	case "windows":
		c = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		c = exec.Command("xdg-open", u)
	}
	if c.Start() == nil {
		go func() { _ = c.Wait() }()
	}
}
