//go:build gendocs

package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
)

func init() {
	topLevels = append(topLevels, topLevel{"gen-docs", newGenDocsCmd})
}

// newGenDocsCmd is a hidden command used by scripts/gen-docs.sh. It is built
// only with -tags gendocs, so cobra/doc and its Markdown renderer stay out of
// the binary users run (docs/performance.md).
func newGenDocsCmd(f *factory) *cobra.Command {
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
			hdr := &doc.GenManHeader{Title: "MAPICTL", Section: "1", Source: "mapictl"}
			if err := doc.GenManTree(root, hdr, args[1]); err != nil {
				return mapi.Wrap(mapi.DiskError, err, "write man pages")
			}
			return nil
		},
	}
}
