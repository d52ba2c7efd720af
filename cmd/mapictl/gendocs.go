//go:build gendocs

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

func init() { newGenDocsCmd = genDocsCmd }

// genDocsCmd is a hidden command used by scripts/gen-docs.sh. It is built
// only with -tags gendocs, so cobra/doc and its Markdown renderer stay out of
// the binary users run (docs/performance.md).
func genDocsCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:    "gen-docs MARKDOWN-DIR MAN-DIR",
		Short:  "Write the Markdown CLI reference and man pages",
		Hidden: true,
		Args:   cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A tree as newRootCmd builds it, before run makes the command
			// groups runnable (markUsageErrors): the reference shows no
			// "mapictl GROUP [flags]" synopsis for them.
			root := newRootCmd(f)
			root.InitDefaultCompletionCmd() // as cobra adds it when it executes
			root.DisableAutoGenTag = true
			for _, d := range args {
				if err := fsutil.MkdirPrivate(d); err != nil {
					return mapi.Wrap(mapi.DiskError, err, "create "+d)
				}
			}
			if err := doc.GenMarkdownTree(root, args[0]); err != nil {
				return mapi.Wrap(mapi.DiskError, err, "write markdown")
			}
			// The man pages go through Markdown (go-md2man), which drops
			// what looks like an HTML tag: "<store>/config.yaml" rendered
			// as "/config.yaml". The Markdown reference shows flags in code
			// blocks, where an escape would show, so escape only now.
			escapeForMan(root)
			hdr := &doc.GenManHeader{Title: "MAPICTL", Section: "1", Source: "mapictl"}
			if err := doc.GenManTree(root, hdr, args[1]); err != nil {
				return mapi.Wrap(mapi.DiskError, err, "write man pages")
			}
			if err := addManSections(filepath.Join(args[1], "mapictl.1")); err != nil {
				return mapi.Wrap(mapi.DiskError, err, "write man pages")
			}
			return nil
		},
	}
}

// escapeForMan escapes '<' in every command's Long text and flag usage, so
// that go-md2man keeps "<store>" and "<d@x>" instead of dropping them as
// HTML. Code (Examples, indented or fenced lines of a Long text) stays as
// written: Markdown shows it verbatim.
func escapeForMan(root *cobra.Command) {
	esc := strings.NewReplacer(`<`, `\<`)
	seen := map[*pflag.Flag]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		lines := strings.Split(c.Long, "\n")
		fenced := false
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "```") {
				fenced = !fenced
			}
			if !fenced && !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, "    ") {
				lines[i] = esc.Replace(l)
			}
		}
		c.Long = strings.Join(lines, "\n")
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.InheritedFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(fl *pflag.Flag) {
				if !seen[fl] {
					seen[fl] = true
					fl.Usage = esc.Replace(fl.Usage)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// manEnvironment and manFiles are the ENVIRONMENT and FILES sections of
// mapictl(1), in roff. Every MAPICTL_* variable the code reads is listed
// (gendocs_test.go greps the source for them): the ones read with os.Getenv
// and, through viper's MAPICTL_ prefix, each configuration key.
const manEnvironment = `.SH ENVIRONMENT
Variables stand in for flags a command was not given; a flag given wins.
.TP
\fBMAPICTL_STORE\fP
The store directory, as \fB--store\fP.
.TP
\fBMAPICTL_PROFILE\fP
The profile, as \fB-p\fP; under a session, the session's profile is used instead.
.TP
\fBMAPICTL_DEFAULT_PROFILE\fP
The profile used when none is given, instead of default-profile in config.yaml.
.TP
\fBMAPICTL_CONFIG\fP
The configuration file, as \fB--config\fP.
.TP
\fBMAPICTL_OUTPUT\fP
Output format, text or json, as \fB-o\fP.
.TP
\fBMAPICTL_NO_INPUT\fP
1, true or yes: never prompt, as \fB--no-input\fP.
.TP
\fBMAPICTL_LOCK_TIMEOUT\fP
How long to wait for a profile's writer lock, as \fB--lock-timeout\fP (a Go duration: 10s, 1m).
.TP
\fBMAPICTL_IDENTITY_FILE\fP
An age identity file to decrypt with when no \fB-i\fP is given (instead of the store's identity.txt).
.TP
\fBMAPICTL_IDENTITY\fP
The text of an age identity file itself (a secret key), used as \fBMAPICTL_IDENTITY_FILE\fP is; both may be set.
.TP
\fBMAPICTL_PASSPHRASE_FD\fP
The number of an open file descriptor to read the passphrase of an encrypted identity from (and a new one for \fBidentity new --passphrase\fP), instead of a terminal prompt.
.TP
\fBMAPICTL_SESSION\fP
The token of the session to run under, as \fBsession logon\fP prints it for eval (a bearer secret); \fB--session-file\fP wins.
.TP
\fBMAPICTL_SENDMAIL_FROM\fP
The envelope sender of \fBmapictl sendmail\fP while the profile is locked and neither \fB-f\fP nor the message names one, instead of sendmail-from in config.yaml.
.TP
\fBXDG_CONFIG_HOME\fP
The store is \fI$XDG_CONFIG_HOME/mapictl\fP when neither \fB--store\fP nor \fBMAPICTL_STORE\fP is set.
.PP
Commands that mapictl runs (a sendmail transport, a manifest's password command) get the environment without any MAPICTL_* variable.
`

const manFiles = `.SH FILES
.TP
\fI$XDG_CONFIG_HOME/mapictl/\fP, else \fI~/.config/mapictl/\fP
The store (mode 0700), called \fI<store>\fP in the flags above; \fB--store\fP or \fBMAPICTL_STORE\fP choose another.
.TP
\fI<store>/config.yaml\fP
Configuration: default-profile, sendmail-from, and defaults of the global flags (output, no-input, lock-timeout); \fB--config\fP or \fBMAPICTL_CONFIG\fP name another file.
.TP
\fI<store>/identity.txt\fP, \fI<store>/identity.pub\fP
The store's age identity (mode 0600, created by the first \fBprofile create\fP or by \fBidentity new\fP) and its recipient.
.TP
\fI<store>/profiles/NAME.age\fP
The profiles, age-encrypted and signed (\fBprofile add\fP copies a shared one here).
.TP
\fI<store>/trust/\fP
The pinned signing key and version of each profile (\fIUID.json\fP) and the last verified file (\fIUID.age\fP).
.TP
\fI<store>/sessions/\fP
The sessions logged on.
.TP
\fI<store>/spool/\fP
The outbox (\fIoutbox/\fP, \fIfailed/\fP) and its key.
`

// addManSections puts ENVIRONMENT and FILES into the main man page, before
// SEE ALSO.
func addManSections(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	add := []byte(manEnvironment + "\n" + manFiles + "\n")
	if i := bytes.Index(b, []byte(".SH SEE ALSO")); i >= 0 {
		b = append(b[:i:i], append(add, b[i:]...)...)
	} else {
		b = append(b, add...)
	}
	return os.WriteFile(path, b, 0o644)
}
