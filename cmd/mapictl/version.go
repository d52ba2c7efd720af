package main

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set by the linker (-X main.version=...) for releases.
var version = "dev"

func newVersionCmd(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mapictl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			if f.jsonOutput() {
				return f.printJSON(map[string]string{"version": v, "go": runtime.Version()})
			}
			f.printf("mapictl %s (%s)\n", v, runtime.Version())
			return nil
		},
	}
}
