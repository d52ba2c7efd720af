//go:build gendocs

package main

import (
	"bytes"
	_ "embed"
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
// mapictl(1), in roff (mandoc/*.roff). Every MAPICTL_* variable the code
// reads is listed (gendocs_test.go greps the source for them): the ones
// read with os.Getenv and, through viper's MAPICTL_ prefix, each
// configuration key.
var (
	//go:embed mandoc/environment.roff
	manEnvironment string
	//go:embed mandoc/files.roff
	manFiles string
)

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
