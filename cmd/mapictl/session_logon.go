package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/mapi"
)

type logonOptions struct {
	Sections []string
	Strict   bool
	As       string
	TTL      time.Duration
	Remember bool
	Offline  bool
}

func newSessionLogonCmd(f *factory) *cobra.Command {
	opts := &logonOptions{}
	cmd := &cobra.Command{
		// run prints "false" for errors raised before RunE (a bad flag
		// or argument), so that eval "$(mapictl session logon …)" fails.
		Annotations: map[string]string{evalOnFailure: "false"},
		Use:         "logon",
		Short:       "Log on to the profile's transport sections and print the session token",
		Long: `Log on to each transport section (or those named with -s/--section): stored
credentials first; when they are missing, a prompt on the terminal (username
echoed, password not) unless --no-input, else MAPI_E_UNCONFIGURED (78). Unless
--offline the transport verifies them (-v prints the dialogue, AUTH redacted);
a refusal is MAPI_E_LOGON_FAILED (77), asked again on a terminal up to 3
times; a server that cannot be reached is 75, a host that does not exist 69.
--remember saves prompted credentials. --as logs on with another address
(refused with MAPI_E_NO_ACCESS, 77, on a section whose address-override is
false).

With no --section, a section that cannot log on is left out of the session
with a warning (-o json: "failed") and the logon succeeds if one section did;
sections named with --section, or every one with --strict, must all log on.

Text output is "export MAPICTL_SESSION=TOKEN" for eval, or "false" when logon
fails, so that the eval fails too. The token is a bearer secret.`,
		Example: `  eval "$(mapictl session logon)"
  eval "$(mapictl session logon --no-input --ttl 1h)"
  mapictl session logon -s work --as dana@example.com --remember
  mapictl -v session logon --strict`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSessionLogon(cmd.Context(), opts, f)
		},
	}
	fl := cmd.Flags()
	stringsVarP(fl, &opts.Sections, "section", "s", "log on to this transport section only (repeatable); each named must log on")
	fl.BoolVar(&opts.Strict, "strict", false, "fail unless every transport section logs on")
	fl.StringVar(&opts.As, "as", "", "send as this address instead of the section's email")
	fl.DurationVar(&opts.TTL, "ttl", 8*time.Hour, "how long the session lives")
	fl.BoolVar(&opts.Remember, "remember", false, "save prompted credentials in the section's secure range")
	fl.BoolVar(&opts.Offline, "offline", false, "do not verify the credentials with the transport")
	_ = cmd.RegisterFlagCompletionFunc("section", f.completeSections)
	return cmd
}

// runSessionLogon logs on (account.StartSession) and prints the token; on
// failure, in text, it prints "false" so that an eval fails too.
func runSessionLogon(ctx context.Context, opts *logonOptions, f *factory) error {
	armInterrupt(ctx) // a delivery or logon stops cleanly on a signal (interrupt.go)
	err := logon(ctx, opts, f)
	if err != nil && !f.jsonOutput() {
		f.println("false")
		f.evalFailureSaid = true
	}
	return err
}

func logon(ctx context.Context, opts *logonOptions, f *factory) error {
	if opts.TTL <= 0 {
		return mapi.Errorf(mapi.InvalidParameter, "--ttl must be positive")
	}
	p, err := f.loadSelected()
	if err != nil {
		return err
	}
	ids, _ := f.Identities()
	so := account.SessionOptions{Store: f.Store(), Remember: opts.Remember, TTL: opts.TTL, Now: nowFunc(),
		LogonOptions: account.LogonOptions{Profile: p, IDs: ids, StoreRoot: f.StoreDir(), Sections: opts.Sections,
			Strict: opts.Strict, As: opts.As, Offline: opts.Offline}}
	if f.CanPrompt() {
		so.Prompt = f.promptCredentials
	}
	if f.verbose {
		so.Verbose = f.transcript() // the dialogue, AUTH redacted, as message send -v
	}
	res, snap, token, err := account.StartSession(ctx, so)
	if res != nil {
		f.warnLeftOut(res.Failed, err)
	}
	if err != nil {
		return err
	}
	if f.jsonOutput() {
		type sec struct {
			Section string `json:"section"`
			Address string `json:"address"`
		}
		out := struct {
			Token    string            `json:"token"`
			ID       string            `json:"id"`
			Profile  string            `json:"profile"`
			Expires  time.Time         `json:"expires"`
			Sections []sec             `json:"sections"`
			Failed   []logonFailedJSON `json:"failed"`
		}{Token: token, ID: snap.ID, Profile: p.Name, Expires: snap.Expires, Sections: []sec{}, Failed: logonFailed(res.Failed)}
		for _, s := range snap.Sections {
			out.Sections = append(out.Sections, sec{s.Settings.Section, s.Address})
		}
		return f.printJSON(out)
	}
	f.printf("export MAPICTL_SESSION=%s\n", token)
	return nil
}

// logonFailedJSON is a section left out of the session, in -o json.
type logonFailedJSON struct {
	Section string `json:"section"`
	Stage   string `json:"stage"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func logonFailed(fs []account.SectionFailure) []logonFailedJSON {
	out := []logonFailedJSON{}
	for _, fl := range fs {
		out = append(out, logonFailedJSON{fl.Section, errStage(fl.Err), fl.Err.Code.Name, fl.Err.Msg})
	}
	return out
}

// warnLeftOut warns, in text output, about each section left out of the
// session (SPEC §7), with its code; when no section logged on (err), the
// first failure is the error itself and is not repeated.
func (f *factory) warnLeftOut(fs []account.SectionFailure, err error) {
	if f.jsonOutput() {
		return // -o json: "failed" in the output, or the error
	}
	for i, fl := range fs {
		if i == 0 && err != nil {
			continue
		}
		f.warnf("section %q left out of the session: %s (%s)", fl.Section, fl.Err.Msg, fl.Err.Code.Name)
	}
	if err == nil && len(fs) > 0 {
		f.warnf("logged on without %d section(s); name sections with --section, or pass --strict, to require them", len(fs))
	}
}

// promptCredentials asks on the terminal for a section's credentials
// (account.AskCredentials), saying first why the previous attempt failed.
func (f *factory) promptCredentials(r account.PromptRequest) (account.Credentials, error) {
	if r.Previous != nil {
		f.warnf("%s; try again (attempt %d)", mapi.AsError(r.Previous).Msg, r.Attempt)
	}
	return account.AskCredentials(f.context(), f.prompter(), r)
}
