package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// envVarsRead greps mapictl's source (not its tests) for the MAPICTL_*
// variables it reads: os.Getenv("MAPICTL_X"), and every key viper reads
// (f.v.GetString("lock-timeout") is $MAPICTL_LOCK_TIMEOUT, through
// SetEnvPrefix("MAPICTL"), a "-" to "_" replacer and AutomaticEnv) or binds
// to a flag in root.go.
func envVarsRead(t *testing.T) []string {
	t.Helper()
	getenv := regexp.MustCompile(`(?:Getenv|LookupEnv)\("(MAPICTL_[A-Z0-9_]+)"\)`)
	viperGet := regexp.MustCompile(`\.v\.(?:Get[A-Za-z0-9]*|IsSet)\("([a-z0-9-]+)"\)`)
	bound := regexp.MustCompile(`range \[\]string\{([^}]*)\}[^\n]*\n[^\n]*BindPFlag`)
	quoted := regexp.MustCompile(`"([a-z0-9-]+)"`)
	viperKey := func(k string) string { return "MAPICTL_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_")) }
	set := map[string]bool{}
	for _, dir := range []string{".", "../../internal"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range getenv.FindAllSubmatch(b, -1) {
				set[string(m[1])] = true
			}
			if filepath.Dir(path) != "." { // viper lives in cmd/mapictl only
				return nil
			}
			for _, m := range viperGet.FindAllSubmatch(b, -1) {
				set[viperKey(string(m[1]))] = true
			}
			for _, m := range bound.FindAllSubmatch(b, -1) {
				for _, q := range quoted.FindAllSubmatch(m[1], -1) {
					set[viperKey(string(q[1]))] = true
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The grep must still find what it is known to find.
	for _, must := range []string{"MAPICTL_STORE", "MAPICTL_IDENTITY_FILE", "MAPICTL_SESSION", "MAPICTL_LOCK_TIMEOUT", "MAPICTL_SENDMAIL_FROM"} {
		if !set[must] {
			t.Fatalf("the source grep no longer finds %s: fix envVarsRead", must)
		}
	}
	var out []string
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// manSection is the text of section name (.SH NAME up to the next .SH).
func manSection(page, name string) string {
	i := strings.Index(page, "\n.SH "+name+"\n")
	if i < 0 {
		return ""
	}
	rest := page[i+len(name)+5:]
	if j := strings.Index(rest, "\n.SH "); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func readManPage(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "man", name))
	if err != nil {
		t.Fatalf("%v (regenerate with scripts/gen-docs.sh)", err)
	}
	return string(b)
}

// mapictl(1) has ENVIRONMENT and FILES sections, and ENVIRONMENT names
// every MAPICTL_* variable the code reads (issue 25).
func TestGendocManEnvironmentAndFiles(t *testing.T) {
	page := readManPage(t, "mapictl.1")
	env := manSection(page, "ENVIRONMENT")
	if env == "" {
		t.Fatal("docs/man/mapictl.1 has no ENVIRONMENT section (scripts/gen-docs.sh)")
	}
	for _, v := range envVarsRead(t) {
		if !strings.Contains(env, `\fB`+v+`\fP`) {
			t.Errorf("ENVIRONMENT of mapictl.1 does not describe %s, which the code reads (manEnvironment in gendocs.go)", v)
		}
	}
	files := manSection(page, "FILES")
	if files == "" {
		t.Fatal("docs/man/mapictl.1 has no FILES section (scripts/gen-docs.sh)")
	}
	for _, f := range []string{"config.yaml", "identity.txt", "profiles/NAME.age", "trust/", "sessions/", "spool/"} {
		if !strings.Contains(files, "<store>/"+f) {
			t.Errorf("FILES of mapictl.1 does not name <store>/%s", f)
		}
	}
}

// go-md2man dropped "<store>" as an HTML tag: the --config default read
// "/config.yaml" in every man page. Markdown and man pages must agree.
func TestGendocManKeepsAngleBrackets(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "man", "*.1"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no man pages (%v)", err)
	}
	for _, p := range pages {
		page := readManPage(t, filepath.Base(p))
		if strings.Contains(page, "(default /config.yaml)") || strings.Contains(page, "(/spool)") {
			t.Errorf("%s: a <store> path lost its <store>", p)
		}
		if strings.Contains(page, `\<`) {
			t.Errorf(`%s: an escaped \< shows`, p)
		}
		if strings.Contains(page, "--config") && !strings.Contains(page, "config file (default <store>/config.yaml)") {
			t.Errorf("%s: the --config default is not <store>/config.yaml", p)
		}
	}
}

// `mapictl --help` says where identities come from without -i.
func TestGendocIdentityEnvInHelp(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("mapictl --help: exit %d", code)
	}
	for _, v := range []string{"MAPICTL_IDENTITY_FILE", "MAPICTL_IDENTITY ", "<store>/identity.txt", "<store>/config.yaml"} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("mapictl --help does not mention %q:\n%s", v, out.String())
		}
	}
}
