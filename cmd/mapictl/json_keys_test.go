package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"filippo.io/age"
)

// jsonShape is what docs/json.md says a JSON value holds: an object with
// exactly these keys (optional ones may be missing), or an array of them.
type jsonShape struct {
	array bool
	keys  map[string]*jsonKey
}

type jsonKey struct {
	optional bool
	sub      *jsonShape // an object, or an array of objects; nil for anything else
}

// readJSONDoc parses the table of docs/json.md: command → shape.
func readJSONDoc(t *testing.T) map[string]*jsonShape {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| `([^`]+)` \\| (array of )?`([^`]+)` \\|$")
	out := map[string]*jsonShape{}
	for _, line := range strings.Split(string(data), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		p := &shapeParser{s: m[3]}
		sh := p.object()
		if p.err != "" || strings.TrimSpace(p.s[p.i:]) != "" {
			t.Fatalf("docs/json.md: %s: cannot parse %q: %s at %d", m[1], m[3], p.err, p.i)
		}
		sh.array = m[2] != ""
		if _, dup := out[m[1]]; dup {
			t.Fatalf("docs/json.md: %s twice", m[1])
		}
		out[m[1]] = sh
	}
	if len(out) < 30 {
		t.Fatalf("docs/json.md: only %d rows parsed", len(out))
	}
	return out
}

// shapeParser reads `{a, b?, c: [ {d} ], e: {f}, g: [..]}`.
type shapeParser struct {
	s   string
	i   int
	err string
}

func (p *shapeParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *shapeParser) eat(tok string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *shapeParser) object() *jsonShape {
	sh := &jsonShape{keys: map[string]*jsonKey{}}
	if !p.eat("{") {
		p.err = "want {"
		return sh
	}
	for p.err == "" {
		p.skip()
		j := p.i
		for p.i < len(p.s) && (p.s[p.i] == '_' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z') {
			p.i++
		}
		if j == p.i {
			p.err = "want a key"
			return sh
		}
		k := &jsonKey{}
		name := p.s[j:p.i]
		k.optional = p.eat("?")
		if p.eat(":") {
			switch {
			case p.eat("[ {") || p.eat("[{"):
				p.i--
				k.sub = p.object()
				k.sub.array = true
				if !p.eat("]") {
					p.err = "want ]"
				}
			case p.eat("[..]"):
			case strings.HasPrefix(strings.TrimLeft(p.s[p.i:], " "), "{"):
				k.sub = p.object()
			default:
				p.err = "want [ {, [..] or {"
			}
		}
		sh.keys[name] = k
		if p.eat("}") {
			return sh
		}
		if !p.eat(",") {
			p.err = "want , or }"
		}
	}
	return sh
}

// checkShape reports where v does not have the keys sh names.
func checkShape(path string, v any, sh *jsonShape) []string {
	if sh.array {
		list, ok := v.([]any)
		if !ok {
			return []string{path + ": not an array"}
		}
		var out []string
		one := *sh
		one.array = false
		for _, e := range list {
			out = append(out, checkShape(path+"[]", e, &one)...)
		}
		return uniqueSorted(out)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{path + ": not an object"}
	}
	var out []string
	for k, spec := range sh.keys {
		val, ok := obj[k]
		if !ok {
			if !spec.optional {
				out = append(out, path+": missing key "+k)
			}
			continue
		}
		if spec.sub != nil && val != nil {
			out = append(out, checkShape(path+"."+k, val, spec.sub)...)
		}
	}
	for k := range obj {
		if _, ok := sh.keys[k]; !ok {
			out = append(out, path+": key "+k+" not in docs/json.md")
		}
	}
	return uniqueSorted(out)
}

// uniqueSorted sorts list and drops repeats (one line per key, not per element).
func uniqueSorted(list []string) []string {
	sort.Strings(list)
	var out []string
	for i, s := range list {
		if i == 0 || s != list[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// TestJSONKeysMatchDocs runs every command of docs/json.md's table with
// -o json against a throwaway store and checks each value's keys, and those
// of its nested objects, against the table (issue 25: field names agree
// across commands; a section is "section" where it is a reference). Every
// row must be run, and every run must have its row.
func TestJSONKeysMatchDocs(t *testing.T) {
	doc := readJSONDoc(t)
	s := newRelStore(t)
	other := newRelStore(t)
	seen := map[string]bool{}
	var check func(row, stdout string, args []string) any
	jsonOf := func(row string, stdin string, args ...string) any {
		t.Helper()
		code, stdout, stderr := s.inprocStdin(stdin, append([]string{"-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
		return check(row, stdout, args)
	}
	check = func(row, stdout string, args []string) any {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(stdout), &v); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, stdout)
		}
		if row == "" {
			return v
		}
		sh, ok := doc[row]
		if !ok {
			t.Errorf("%s: no row %q in docs/json.md", strings.Join(args, " "), row)
			return v
		}
		seen[row] = true
		if probs := checkShape(row, v, sh); len(probs) > 0 {
			out := strings.TrimSpace(stdout)
			if len(out) > 400 {
				out = out[:400] + "…"
			}
			t.Errorf("%s\n  output: %s", strings.Join(probs, "\n  "), out)
		}
		return v
	}
	field := func(v any, k string) string {
		t.Helper()
		m, _ := v.(map[string]any)
		str, ok := m[k].(string)
		if !ok {
			t.Fatalf("no string %q in %v", k, v)
		}
		return str
	}
	reader, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	md := filepath.Join(t.TempDir(), "Maildir")

	me := field(jsonOf("identity new", "", "identity", "new"), "recipient")
	jsonOf("identity show", "", "identity", "show")
	jsonOf("profile create NAME", "", "profile", "create", "p")
	jsonOf("profile default NAME", "", "profile", "default", "p")
	jsonOf("profile default", "", "profile", "default")
	jsonOf("section create SECTION", "", "section", "create", "local", "--transport", "maildir",
		"--set", "maildir.path="+md, "--set", "email=me@example.com")
	jsonOf("section create SECTION", "", "section", "create", "spare", "--transport", "maildir",
		"--set", "maildir.path="+md, "--set", "email=spare@example.com")
	jsonOf("section set SECTION", "", "section", "set", "local", "--set", "display-name=Me")
	jsonOf("section unset SECTION", "", "section", "unset", "local", "display-name")
	jsonOf("section default SECTION", "", "section", "default", "local")
	jsonOf("section order SECTION...", "", "section", "order", "local", "spare")
	jsonOf("credential set SECTION", "pw\n", "credential", "set", "local", "--username", "me", "--password-stdin")
	jsonOf("credential get SECTION", "", "credential", "get", "local")
	jsonOf("credential get SECTION --field F", "", "credential", "get", "local", "--field", "username")
	jsonOf("credential set SECTION", "pw\n", "credential", "set", "spare", "--password-stdin")
	jsonOf("credential delete SECTION", "", "credential", "delete", "spare")
	jsonOf("section share SECTION", "", "section", "share", "local", "--recipient", reader.Recipient().String())
	jsonOf("credential list", "", "credential", "list")
	jsonOf("profile owners NAME", "", "profile", "owners", "p")
	jsonOf("profile show NAME", "", "profile", "show", "p")
	jsonOf("section unshare SECTION", "", "section", "unshare", "local", "--recipient", reader.Recipient().String())
	jsonOf("section list", "", "section", "list", "--all")
	jsonOf("section open SECTION", "", "section", "open", "local", "--secure")
	jsonOf("section delete SECTION", "", "section", "delete", "spare")
	jsonOf("prop list", "", "prop", "list")
	jsonOf("version", "", "version")

	jsonOf("message send", "", "message", "send", "-s", "local", "--to", "dana@example.com", "--subject", "one", "--body", "hi")
	jsonOf("message send --dry-run", "", "message", "send", "--dry-run", "--to", "dana@example.com", "--body", "hi")
	id := field(jsonOf("message send", "", "message", "send", "--queue", "--to", "dana@example.com", "--body", "hi"), "id")
	jsonOf("spool list", "", "spool", "list")
	jsonOf("spool show ID", "", "spool", "show", id)
	jsonOf("spool flush", "", "spool", "flush")
	id = field(jsonOf("message send", "", "message", "send", "--queue", "--to", "dana@example.com", "--body", "hi"), "id")
	jsonOf("spool drop ID", "", "spool", "drop", id)

	cert, _ := newTestCert(t)
	_, imapSrv, imapLn, err := startMemIMAP(cert, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	jsonOf("section create SECTION", "", "section", "create", "in", "--inbound", "imap", "--set", "inbound.host=127.0.0.1",
		"--set", "inbound.port="+strconv.Itoa(imapLn.Addr().(*net.TCPAddr).Port), "--set", "inbound.insecure-skip-verify=true",
		"--set", "inbound.allow-insecure-auth=true", "--set", "inbound.maildir="+filepath.Join(t.TempDir(), "in"))
	jsonOf("credential set SECTION", imapTestPass+"\n", "credential", "set", "in", "--inbound", "--username", imapTestUser, "--password-stdin")
	jsonOf("message fetch", "", "message", "fetch")
	jsonOf("message fetch", "", "message", "fetch", "--dry-run")

	jsonOf("session logon", "", "session", "logon", "--offline")
	jsonOf("session list", "", "session", "list")
	list := jsonOf("", "", "session", "list").([]any)
	if len(list) != 1 {
		t.Fatalf("session list: %v", list)
	}
	jsonOf("session show", "", "session", "show", field(list[0], "id"))
	jsonOf("session logoff", "", "session", "logoff", "--all")

	jsonOf("profile copy SRC DST", "", "profile", "copy", "p", "q")
	jsonOf("profile rename OLD NEW", "", "profile", "rename", "q", "r")
	jsonOf("profile delete NAME", "", "profile", "delete", "r", "--yes")
	jsonOf("profile owners NAME add R", "", "profile", "owners", "p", "add", reader.Recipient().String())
	jsonOf("profile rekey NAME", "", "profile", "rekey", "p")
	jsonOf("profile list", "", "profile", "list")

	manifest := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(manifest, []byte("profile: applied\nsections:\n  - name: out\n    transport: maildir\n    props:\n      maildir.path: "+md+"\n      email: ci@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	jsonOf("profile apply -f FILE", "", "profile", "apply", "-f", manifest)

	// A profile another store signed, shared with this store's identity.
	if code, _, stderr := other.inproc(nil, "profile", "create", "team", "--recipient", me); code != 0 {
		t.Fatalf("other store: profile create: %d\n%s", code, stderr)
	}
	added := jsonOf("profile add FILE", "", "profile", "add", filepath.Join(other.dir, "profiles", "team.age"))
	jsonOf("profile accept NAME", "", "profile", "accept", "team", "--key", field(added, "key_fingerprint"), "--yes")

	// credential oauth2 waits for the user to sign in: a process against
	// the real provider, which the test approves (oauth2_test.go).
	m := newOAuthMail(t, 0, nil)
	out, _ := newOAuthStore(t, m, "work").signInDevice("work", "-o", "json")
	check("credential oauth2 SECTION", out, []string{"credential", "oauth2", "work"})

	var missing []string
	for row := range doc {
		if !seen[row] {
			missing = append(missing, row)
		}
	}
	sort.Strings(missing)
	for _, row := range missing {
		t.Errorf("docs/json.md: %q is not run by this test", row)
	}
}
