package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func actions(p *Plan) string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.String())
	}
	return strings.Join(out, "\n")
}

func TestApplyIdempotent(t *testing.T) {
	id, r := newKey(t)
	ids := []age.Identity{id}
	p := profile.New("team", []string{r})
	vars := map[string]string{"CI_SMTP_PASSWORD": "s3cret"}
	plan := applyDoc(t, p, teamDoc, vars, ids)
	for _, want := range []string{"create section smtp-ci", "create smtp-ci.smtp.host: smtp.example.com", "create smtp-ci.password (secret)", "create section ldap"} {
		if !strings.Contains(actions(plan), want) {
			t.Errorf("plan lacks %q:\n%s", want, actions(plan))
		}
	}
	if strings.Contains(actions(plan), "s3cret") {
		t.Fatal("plan shows the secret")
	}
	before, _ := profile.Marshal(p)
	plan = applyDoc(t, p, teamDoc, vars, ids)
	if plan.Changed() {
		t.Fatalf("second apply changed:\n%s", actions(plan))
	}
	if !strings.Contains(actions(plan), "unchanged smtp-ci.password (secret)") {
		t.Errorf("plan = %s", actions(plan))
	}
	after, _ := profile.Marshal(p)
	if !bytes.Equal(before, after) {
		t.Fatal("second apply changed the document")
	}
	s, _ := p.Section("smtp-ci")
	c, err := s.ReadSecure(ids)
	if err != nil || c.Props[mapi.PrPassword] != "s3cret" || c.Props[mapi.PrUsername] != "ci@example.com" {
		t.Fatalf("credentials %v %v", c, err)
	}
	// A new password re-seals; a changed setting updates and stays bound.
	vars["CI_SMTP_PASSWORD"] = "n3w"
	plan = applyDoc(t, p, strings.Replace(teamDoc, "587", "465", 1), vars, ids)
	if got := actions(plan); !strings.Contains(got, "update smtp-ci.password (secret)") || !strings.Contains(got, "update smtp-ci.0x66020003: 587 -> 465") {
		t.Fatalf("plan = %s", got)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrPassword] != "n3w" {
		t.Fatalf("after update: %v", err)
	}
}

func TestApplyReplacesUnreadableRange(t *testing.T) {
	owner, ro := newKey(t)
	other, rother := newKey(t)
	p := profile.New("team", []string{ro})
	vars := map[string]string{"CI_SMTP_PASSWORD": "one"}
	applyDoc(t, p, teamDoc, vars, []age.Identity{owner})
	// other is an owner the range was not sealed to (it became one
	// without a re-seal): it cannot open the range.
	p.Owners = append(p.Owners, rother)
	s, _ := p.Section("smtp-ci")
	sealed := s.Secure.Age()
	// Without credentials in the manifest, other leaves the range alone.
	noCreds := strings.Replace(teamDoc, "    credentials:\n      username: ci@example.com\n      password: {env: CI_SMTP_PASSWORD}\n", "", 1)
	plan := applyDoc(t, p, noCreds, nil, []age.Identity{other})
	if s.Secure.Age() != sealed || plan.Changed() {
		t.Fatalf("range touched: %s", actions(plan))
	}
	// With credentials, it is replaced and says so.
	vars["CI_SMTP_PASSWORD"] = "two"
	plan = applyDoc(t, p, teamDoc, vars, []age.Identity{other})
	if !strings.Contains(actions(plan), "replaced, not readable by you") {
		t.Fatalf("plan = %s", actions(plan))
	}
	// The new range is sealed to every owner, not only to the applier.
	for _, id := range []age.Identity{other, owner} {
		if c, err := s.ReadSecure([]age.Identity{id}); err != nil || c.Props[mapi.PrPassword] != "two" {
			t.Fatalf("replaced range: %v", err)
		}
	}
}

func TestApplyPruneAndKindMismatch(t *testing.T) {
	id, r := newKey(t)
	p := profile.New("team", []string{r})
	if _, err := p.AddSection("old", "transport", "maildir"); err != nil {
		t.Fatal(err)
	}
	m := mustLoad(t, "profile: team\nsections:\n  - name: new\n    kind: service\n", LoadOptions{})
	plan, err := Apply(p, m, nil, ApplyOptions{IDs: []age.Identity{id}, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Section("old"); err == nil || !strings.Contains(actions(plan), "delete section old") {
		t.Fatalf("old not pruned: %s", actions(plan))
	}
	m = mustLoad(t, "profile: team\nsections:\n  - name: new\n    kind: store\n", LoadOptions{})
	if _, err := Apply(p, m, nil, ApplyOptions{}); codeOf(err) != "MAPI_E_INVALID_PARAMETER" {
		t.Fatalf("kind change: %v", err)
	}
}

func TestResolveSources(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("from-file\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := func(src string) string {
		return "profile: a\nsections:\n  - name: s\n    credentials:\n      password: " + src + "\n"
	}
	tests := []struct {
		name, src, want, code string
		stdin                 string
	}{
		{"env", "{env: PW}", "from-env", "", ""},
		{"env missing", "{env: NOPE}", "", "MAPI_E_UNCONFIGURED", ""},
		{"env empty", "{env: EMPTY}", "", "MAPI_E_UNCONFIGURED", ""},
		{"file relative", "{file: pw.txt}", "from-file", "", ""},
		{"file missing", "{file: nope.txt}", "", "MAPI_E_UNCONFIGURED", ""},
		{"stdin", "{stdin: true}", "from-stdin", "", "from-stdin\n"},
		{"command", "{command: [cat, pw.txt]}", "from-file", "", ""},
		{"command fails", "{command: [false]}", "", "MAPI_E_UNCONFIGURED", ""},
		{"command missing", "{command: [no-such-command-xyz]}", "", "MAPI_E_UNCONFIGURED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustLoad(t, doc(tt.src), LoadOptions{})
			res := &Resolver{Dir: dir, Stdin: strings.NewReader(tt.stdin), Getenv: env(map[string]string{"PW": "from-env", "EMPTY": ""}), AllowCommands: true}
			got, err := res.ResolveAll(m)
			if codeOf(err) != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if err == nil && got["s"][mapi.PrPassword] != tt.want {
				t.Fatalf("got %q, want %q", got["s"][mapi.PrPassword], tt.want)
			}
		})
	}
}

// TestApplyBadSettingSaysItOnce: a value a transport section refuses is
// named once, with the manifest's section and line, and keeps its hint.
func TestApplyBadSettingSaysItOnce(t *testing.T) {
	for _, c := range []struct{ prop, msg string }{
		{"smtp.security: bogus", `invalid smtp.security "bogus"`},
		{"smtp.auth: bogus", `invalid smtp.auth "bogus"`},
		{"inbound.security: bogus", `invalid inbound.security "bogus"`},
		{"inbound: bogus", `invalid inbound "bogus"`},
	} {
		m := mustLoad(t, "profile: team\nsections:\n  - name: out\n    props:\n      "+c.prop+"\n", LoadOptions{})
		_, r := newKey(t)
		_, err := Apply(profile.New("team", []string{r}), m, nil, ApplyOptions{})
		e := mapi.AsError(err)
		if err == nil || e.Code != mapi.InvalidParameter || strings.Count(e.Msg, c.msg) != 1 ||
			!strings.HasPrefix(e.Msg, `section "out", line 5: `) || len(e.Hints) == 0 {
			t.Errorf("%s: %v (hints %q)", c.prop, err, e.Hints)
		}
	}
}
