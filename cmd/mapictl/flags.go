package main

import (
	"strings"

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
