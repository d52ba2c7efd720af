package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// stringsValue is a repeatable string flag: each use appends one value,
// never split on commas. It is what pflag's StringArray does (and shows the
// same "stringArray" type in help and to cobra's completion), without its
// cost: pflag renders a StringArray's default through encoding/csv, with a
// fresh 4 KiB buffer, when the flag is defined, so every run paid that for
// every such flag of every command in the tree (docs/performance.md).
type stringsValue struct{ p *[]string }

// stringsVarP defines a repeatable string flag on fs, empty by default.
func stringsVarP(fs *pflag.FlagSet, p *[]string, name, shorthand, usage string) {
	fs.VarP(stringsValue{p}, name, shorthand, usage)
}

func (v stringsValue) Set(s string) error { *v.p = append(*v.p, s); return nil }
func (v stringsValue) Type() string       { return "stringArray" }

// String is "" while empty (so help shows no default), else "[a,b]".
func (v stringsValue) String() string {
	if len(*v.p) == 0 {
		return ""
	}
	return "[" + strings.Join(*v.p, ",") + "]"
}

// sectionFlag defines -s/--section, the one flag that names a section
// wherever a command takes one (SPEC §7), into p; with alias, also
// --transport, which message send and spool flush took before: hidden, and
// reported as deprecated by checkSectionAlias.
func sectionFlag(fs *pflag.FlagSet, p *string, usage string, alias bool) {
	fs.StringVarP(p, "section", "s", "", usage)
	if alias {
		fs.StringVar(p, "transport", "", usage)
		_ = fs.MarkHidden("transport")
	}
}

// checkSectionAlias warns on stderr that --transport is deprecated, and
// refuses it beside -s/--section (64): both write the same value.
func (f *factory) checkSectionAlias(cmd *cobra.Command) error {
	fl := cmd.Flags()
	if !fl.Changed("transport") {
		return nil
	}
	if fl.Changed("section") {
		return flagErr(cmd, errString("give either -s/--section or --transport, not both (--transport is deprecated)"))
	}
	f.warnf("flag --transport is deprecated: use -s/--section")
	return nil
}
