package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/term"
)

// run executes mapictl with args (args[0] is the program name) and returns
// the process exit status. Every error is printed here, once. ctx is passed
// to every command (cmd.Context(), f.context()): cancelling it (main does on
// SIGINT and SIGTERM) stops network and prompt calls and the spool flush.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	disableCoreDumps()
	term.HideFDFromChildren(os.Getenv("MAPICTL_PASSPHRASE_FD")) // before any child program starts
	f := newFactory(stdin, stdout, stderr)
	f.setPromptContext(ctx)
	if base := filepath.Base(args[0]); base == "sendmail" || base == "mailq" {
		return f.exit(sendmailMain(f, base, args[1:]))
	}
	root := harden(f, newRootCmd(f))
	markUsageErrors(root)
	root.SetArgs(args[1:])
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && !f.evalFailureSaid && !f.jsonOutput() {
		if say := evalSay(cmd, root, args[1:]); say != "" {
			f.println(say)
		}
	}
	return f.exit(err)
}

// evalSay is the evalOnFailure value of the command that failed, or, when
// cobra stopped before it found one (a bad flag before the subcommand:
// mapictl --bad session logon), of the command args' words name.
func evalSay(cmd, root *cobra.Command, args []string) string {
	if cmd != nil && cmd.Annotations[evalOnFailure] != "" {
		return cmd.Annotations[evalOnFailure]
	}
	c := root
	for _, w := range args {
		if strings.HasPrefix(w, "-") {
			continue
		}
		next := (*cobra.Command)(nil)
		for _, sub := range c.Commands() {
			if sub.Name() == w || sub.HasAlias(w) {
				next = sub
				break
			}
		}
		if next == nil {
			continue // a flag's value, or an argument
		}
		c = next
		if say := c.Annotations[evalOnFailure]; say != "" {
			return say
		}
	}
	return ""
}

// evalOnFailure annotates a command whose output is meant for eval (session
// logon): its value is what stdout carries when the command fails, however
// early (a flag cobra refused, a bad argument), so that the eval fails too
// rather than run nothing and let the script go on.
const evalOnFailure = "mapictl/eval-on-failure"

// markUsageErrors makes cobra's own argument errors (a wrong number of
// arguments) MAPI_E_INVALID_PARAMETER, 64, as SetFlagErrorFunc does for
// flags; and a command group given an unknown subcommand says so (64)
// instead of printing its help and exiting 0. For that a group is made
// runnable; its usage still shows only "GROUP [command]". It walks c's tree.
func markUsageErrors(c *cobra.Command) {
	if !c.HasParent() {
		c.SetUsageTemplate(strings.Replace(c.UsageTemplate(),
			"{{if .Runnable}}", "{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))
	}
	switch {
	case c.HasSubCommands() && !c.Runnable():
		c.SuggestionsMinimumDistance = 2 // cobra's own default, applied only on its path
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return unknownCommand(cmd, args[0])
		}
	case c.Args != nil:
		validate := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := validate(cmd, args); err != nil {
				return flagErr(cmd, err)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsageErrors(sub)
	}
}

func unknownCommand(cmd *cobra.Command, name string) error {
	e := mapi.Errorf(mapi.InvalidParameter, "unknown command %q for %q", name, cmd.CommandPath())
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		for i := range s {
			s[i] = "'" + cmd.CommandPath() + " " + s[i] + "'"
		}
		return e.WithHint("did you mean " + strings.Join(s, " or ") + "?")
	}
	return e.WithHint("run '" + cmd.CommandPath() + " --help' for usage")
}

func flagErr(cmd *cobra.Command, err error) error {
	return &mapi.Error{Code: mapi.InvalidParameter, Msg: err.Error(), Err: err,
		Hints: []string{"run '" + cmd.CommandPath() + " --help' for usage"}}
}

// exclusiveFlags matches cobra's error for mutually exclusive flags given
// together; its second list is the flags that were set.
var exclusiveFlags = regexp.MustCompile(`^if any flags in the group \[.*\] are set none of the others can be; \[(.+)\] were all set$`)

// flagGroupError says cobra's flag group error err as a user reads it:
// "--a and --b cannot be used together". Other errors are returned as
// they are.
func flagGroupError(err error) error {
	m := exclusiveFlags.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	names := strings.Fields(m[1])
	for i, n := range names {
		names[i] = "--" + n
	}
	return fmt.Errorf("%s cannot be used together", strings.Join(names, " and "))
}

// context is the process's context (run's): cancelled by SIGINT and
// SIGTERM. Commands use cmd.Context(), the same context; code that runs
// outside cobra (the sendmail front end) uses this.
func (f *factory) context() context.Context {
	if f.ctx == nil {
		return context.Background()
	}
	return f.ctx
}
