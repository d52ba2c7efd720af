package main

import (
	"context"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set by the linker (-X main.version=...) for releases.
var version = "dev"

func init() {
	// `mapictl --version` prints what `mapictl version` prints (root.go).
	cobra.AddTemplateFunc("mapictlVersionText", versionText)
}

// versionString is mapictl's version: the linker's, else the module's
// version when built with `go install module@version`.
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return v
}

// versionText is the text output of `mapictl version` and `mapictl --version`.
func versionText() string {
	return "mapictl " + versionString() + " (" + runtime.Version() + ")\n"
}

type versionOptions struct{}

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mapictl's version (also mapictl --version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVersion(cmd.Context(), &versionOptions{}, f)
		},
	}
}

func runVersion(_ context.Context, _ *versionOptions, f *factory) error {
	if f.jsonOutput() {
		return f.printJSON(versionJSON{Version: versionString(), Go: runtime.Version()})
	}
	f.printf("%s", versionText())
	return nil
}

// versionJSON is version's output.
type versionJSON struct {
	Go      string `json:"go"`
	Version string `json:"version"`
}
