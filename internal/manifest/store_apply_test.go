package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/profile"
)

func TestApplyToStoreCreatesThenUpdates(t *testing.T) {
	id, r := newKey(t)
	ids := func() ([]age.Identity, error) { return []age.Identity{id}, nil }
	owners := func() ([]string, error) { return []string{r}, nil }
	st := &profile.Store{Root: t.TempDir()}
	m := mustLoad(t, teamDoc, LoadOptions{})
	sec, err := (&Resolver{Dir: t.TempDir(), Getenv: env(map[string]string{"CI_SMTP_PASSWORD": "pw"})}).ResolveAll(m)
	if err != nil {
		t.Fatal(err)
	}
	o := StoreOptions{DryRun: true, Identities: ids, Owners: owners}
	plan, err := ApplyToStore(st, m, sec, o)
	if err != nil || !plan.Create || st.Exists("team") {
		t.Fatalf("dry run: create %v, exists %v, %v", plan != nil && plan.Create, st.Exists("team"), err)
	}
	o.DryRun = false
	if plan, err = ApplyToStore(st, m, sec, o); err != nil || !plan.Create || !st.Exists("team") {
		t.Fatalf("create: %v, %v", plan, err)
	}
	o.Owners = func() ([]string, error) { t.Fatal("Owners called for an existing profile"); return nil, nil }
	for _, dry := range []bool{true, false} {
		o.DryRun = dry
		if plan, err = ApplyToStore(st, m, sec, o); err != nil || plan.Create || plan.Changed() {
			t.Fatalf("dry %v: again: %+v, %v", dry, plan, err)
		}
	}
	// A new profile with no recipient is refused, not written.
	m.Profile = "nobody"
	o.Owners = func() ([]string, error) { return nil, nil }
	if _, err := ApplyToStore(st, m, sec, o); codeOf(err) != "MAPI_E_INVALID_PARAMETER" || st.Exists("nobody") {
		t.Fatalf("no recipient: %v", err)
	}
}

func TestPlanDefaultProfile(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		def     *bool
		current string
		value   string
		ok      bool
		old     any
	}{
		{nil, "team", "", false, nil},
		{&yes, "team", "", false, nil},
		{&yes, "", "team", true, nil},
		{&yes, "other", "team", true, "other"},
		{&no, "team", "", true, "team"},
		{&no, "other", "", false, nil},
		{&no, "", "", false, nil},
	} {
		p := &Plan{}
		value, ok := p.DefaultProfile(&Manifest{Profile: "team", Default: c.def}, c.current)
		if value != c.value || ok != c.ok || len(p.Changes) != map[bool]int{true: 1}[ok] {
			t.Errorf("%v %q: = %q, %v, %v", c.def != nil && *c.def, c.current, value, ok, p.Changes)
			continue
		}
		if ok && (p.Changes[0].Prop != "default" || p.Changes[0].Old != c.old || p.Changes[0].New != c.value) {
			t.Errorf("%v %q: change %+v", *c.def, c.current, p.Changes[0])
		}
	}
}

func TestLoadSource(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(file, []byte(teamDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	if m, got, err := LoadSource(file, nil, LoadOptions{}); err != nil || m.Profile != "team" || got != dir {
		t.Fatalf("file: %v, %q, %v", m, got, err)
	}
	wd, _ := os.Getwd()
	if _, got, err := LoadSource("-", strings.NewReader(teamDoc), LoadOptions{}); err != nil || got != wd {
		t.Fatalf("stdin: %q, %v", got, err)
	}
	doc := strings.Replace(teamDoc, "{env: CI_SMTP_PASSWORD}", "{stdin: true}", 1)
	if _, _, err := LoadSource("-", strings.NewReader(doc), LoadOptions{}); codeOf(err) != "MAPI_E_INVALID_PARAMETER" {
		t.Fatalf("{stdin: true} from stdin: %v", err)
	}
}
