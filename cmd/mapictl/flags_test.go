package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// A repeatable flag keeps every use, whole (an address holds commas), and
// its help shows pflag's type name and no default.
func TestStringsFlag(t *testing.T) {
	var to []string
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	stringsVarP(fs, &to, "to", "t", "recipient")
	if err := fs.Parse([]string{"--to", `"Li, Dana" <d@x.example>`, "-t", "b@x.example", "--to=c"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{`"Li, Dana" <d@x.example>`, "b@x.example", "c"}; !slices.Equal(to, want) {
		t.Fatalf("values = %q, want %q", to, want)
	}
	if got := fs.Lookup("to").Value.String(); got != `["Li, Dana" <d@x.example>,b@x.example,c]` {
		t.Fatalf("String = %q", got)
	}
	usage := fs.FlagUsages()
	if !strings.Contains(usage, "--to stringArray") || strings.Contains(usage, "default") {
		t.Fatalf("usage = %q", usage)
	}
}
