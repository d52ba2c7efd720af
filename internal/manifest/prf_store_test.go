package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

func TestPRFTarget(t *testing.T) {
	exists := func(n string) bool { return n == "main" }
	for _, c := range []struct {
		file              prf.File
		name, def         string
		target, mode, err string
	}{
		{prf.File{ProfileName: "corp", Overwrite: "yes"}, "", "main", "corp", "yes", ""},
		{prf.File{ProfileName: "corp", Overwrite: "yes"}, "other", "main", "other", "yes", ""},
		{prf.File{ProfileName: "corp", Overwrite: "no", ModifyDefaultProfileIfPresent: true}, "", "main", "main", "append", ""},
		{prf.File{ProfileName: "corp", Overwrite: "no", ModifyDefaultProfileIfPresent: true}, "", "gone", "corp", "no", ""},
		{prf.File{ProfileName: "corp", Overwrite: "no", ModifyDefaultProfileIfPresent: true}, "x", "main", "x", "no", ""},
		{prf.File{}, "", "", "", "", "MAPI_E_INVALID_PARAMETER"},
		{prf.File{ProfileName: "../up"}, "", "", "", "", "MAPI_E_INVALID_PARAMETER"},
	} {
		target, mode, err := PRFTarget(&c.file, c.name, c.def, exists)
		if target != c.target || mode != c.mode || codeOf(err) != c.err {
			t.Errorf("%+v %q %q: = %q, %q, %v", c.file, c.name, c.def, target, mode, err)
		}
	}
}

func TestImportToStoreModes(t *testing.T) {
	f, err := prf.Parse(strings.NewReader(corpPRF), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	id, r := newKey(t)
	o := StoreOptions{Identities: func() ([]age.Identity, error) { return []age.Identity{id}, nil },
		Owners: func() ([]string, error) { return []string{r}, nil }}
	st := &profile.Store{Root: t.TempDir()}
	for _, c := range []struct{ mode, how, err string }{
		{"no", ImportCreate, ""},
		{"no", "", "MAPI_E_COLLISION"},
		{"append", ImportAppend, ""},
		{"yes", ImportReplace, ""},
	} {
		sum, how, err := ImportToStore(st, "corp", c.mode, f, o)
		if how != c.how || codeOf(err) != c.err || (err == nil && len(sum.Services) != 2) {
			t.Fatalf("mode %s: = %v, %q, %v", c.mode, sum, how, err)
		}
	}
}

func TestReadPRFErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := ReadPRF(filepath.Join(dir, "none.prf"), nil, nil); codeOf(err) != "MAPI_E_NOT_FOUND" {
		t.Fatalf("missing: %v", err)
	}
	bad := filepath.Join(dir, "bad.prf")
	if err := os.WriteFile(bad, []byte("[General]\nProfileName=a\nProfileName=b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadPRF(bad, nil, nil); codeOf(err) != "MAPI_E_CORRUPT_DATA" {
		t.Fatalf("ambiguous: %v", err)
	}
	good := filepath.Join(dir, "good.prf")
	if err := os.WriteFile(good, []byte(corpPRF), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, exp, err := ReadPRF(good, nil, nil); err != nil || f.ProfileName != "corp" || exp == nil {
		t.Fatalf("good: %v, %v, %v", f, exp, err)
	}
}

// TestImportAgainWritesNothing: appending the same PRF again leaves the
// profile file byte-identical and says so (as re-applying a manifest does);
// a changed setting writes, and keeps the credentials bound to it.
func TestImportAgainWritesNothing(t *testing.T) {
	f, err := prf.Parse(strings.NewReader(corpPRF), env(map[string]string{"CORP_DOMAIN": "corp.example"}))
	if err != nil {
		t.Fatal(err)
	}
	id, r := newKey(t)
	ids := []age.Identity{id}
	o := StoreOptions{Identities: func() ([]age.Identity, error) { return ids, nil },
		Owners: func() ([]string, error) { return []string{r}, nil }}
	st := &profile.Store{Root: t.TempDir()}
	read := func() string {
		b, err := os.ReadFile(st.Path("corp"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if sum, _, err := ImportToStore(st, "corp", "append", f, o); err != nil || !sum.Changed {
		t.Fatalf("create: %v, %v", sum, err)
	}
	before := read()
	for i := range 2 {
		sum, how, err := ImportToStore(st, "corp", "append", f, o)
		if err != nil || how != ImportAppend || sum.Changed {
			t.Fatalf("again %d: changed %v, %q, %v", i, sum != nil && sum.Changed, how, err)
		}
		if read() != before {
			t.Fatalf("again %d: the profile file was rewritten", i)
		}
	}
	f2, err := prf.Parse(strings.NewReader(corpPRF), env(map[string]string{"CORP_DOMAIN": "corp2.example"}))
	if err != nil {
		t.Fatal(err)
	}
	if sum, _, err := ImportToStore(st, "corp", "append", f2, o); err != nil || !sum.Changed {
		t.Fatalf("changed host: %v, %v", sum, err)
	}
	p, err := st.Load("corp", ids)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := p.Section("Corp Mail")
	if c, err := tr.ReadSecure(ids); err != nil || c.Props[mapi.PrUsername] != "dana" {
		t.Fatalf("credentials after a changed host: %v", err)
	}
}
