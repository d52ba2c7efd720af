// Package internal_test holds the layering test of mapictl's packages
// (issue 26): the house docs/design.md draws under "Layers".
package internal_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/mapictl/mapictl/"

// layers is docs/design.md's "Layers", top to bottom: a package may import
// only packages of a lower layer, never one of its own layer or above.
// Every package of the module must be listed here (tools under scripts/
// are at the top with the command).
var layers = [][]string{
	{"cmd/mapictl", "scripts/interleave", "scripts/oidc-provider", "scripts/spoolfill", "scripts/smtpfloor"},
	{"internal/account"},
	{"internal/sendmail", "internal/manifest"},
	{"internal/delivery"},
	{"internal/session", "internal/spool", "internal/inbound"},
	{"internal/profile", "internal/transport", "internal/message", "internal/prf", "internal/oauth"},
	{"internal/secure", "internal/tlsconf", "internal/term", "internal/diag"},
	{"internal/mapi", "internal/fsutil", "internal/textsafe", "internal/oauthtest"},
}

// forbidden are modules nothing under internal/ may depend on, even
// indirectly: flags and configuration are cmd/mapictl's.
var forbidden = []string{"github.com/spf13/cobra", "github.com/spf13/viper"}

// testOnly are packages only tests and scripts/oidc-provider may depend on:
// the test OpenID provider must never be built into mapictl.
var testOnly = []string{module + "internal/oauthtest", "github.com/zitadel/oidc"}

type pkg struct {
	ImportPath string
	GoFiles    []string
	Imports    []string
	Deps       []string
}

// listPackages runs `go list -deps -json ./...` at the module's root and
// returns the module's own packages.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	c := exec.Command(goBin, "list", "-deps", "-json", "./...")
	c.Dir = ".."
	out, err := c.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.ImportPath, module) && len(p.GoFiles) > 0 { // not this test's package
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages of %s; want them all", len(pkgs), module)
	}
	return pkgs
}

func TestLayers(t *testing.T) {
	layer := map[string]int{} // 0 is the top
	for i, l := range layers {
		for _, p := range l {
			layer[module+p] = i
		}
	}
	for _, p := range listPackages(t) {
		from, ok := layer[p.ImportPath]
		if !ok {
			t.Errorf("%s is in no layer: add it to layers here and to docs/design.md's house", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			to, ok := layer[imp]
			if !ok {
				continue // outside the module (a package not in the table is reported above)
			}
			if to <= from {
				t.Errorf("%s (layer %d) imports %s (layer %d): an arrow up or sideways; imports go only to lower layers (docs/design.md, Layers)",
					strings.TrimPrefix(p.ImportPath, module), from, strings.TrimPrefix(imp, module), to)
			}
		}
		if p.ImportPath != module+"internal/oauthtest" && p.ImportPath != module+"scripts/oidc-provider" {
			for _, dep := range p.Deps {
				for _, f := range testOnly {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s: only tests and scripts/oidc-provider may", p.ImportPath, dep)
					}
				}
			}
		}
		if !strings.HasPrefix(p.ImportPath, module+"internal/") {
			continue
		}
		for _, dep := range p.Deps {
			for _, f := range forbidden {
				if dep == f || strings.HasPrefix(dep, f+"/") {
					t.Errorf("%s depends on %s: nothing under internal/ may import cobra or viper", p.ImportPath, dep)
				}
			}
		}
	}
}
