package manifest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// issue 24 point 1: a manifest may come from someone else. Its commands run
// only with consent and never in a dry run; they see no MAPICTL_* variable;
// a {file: ...} outside the manifest's directory needs the same consent.

func credDoc(src string) *Manifest {
	m, err := Load(strings.NewReader("profile: a\nsections:\n  - name: s\n    credentials:\n      password: "+src+"\n"), LoadOptions{})
	if err != nil {
		panic(err)
	}
	return m
}

func codeName(err error) string {
	if err == nil {
		return ""
	}
	return mapi.AsError(err).Code.Name
}

func TestCommandDryRunRunsNothing(t *testing.T) {
	dir := t.TempDir()
	m := credDoc(`{command: [sh, -c, "touch ran; echo pw"]}`)
	for _, allow := range []bool{false, true} {
		res := &Resolver{Dir: dir, DryRun: true, AllowCommands: allow,
			Confirm: func(string) (bool, error) { t.Fatal("a dry run asked to run a command"); return false, nil }}
		sec, err := res.ResolveAll(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
			t.Fatalf("allow=%v: the dry run ran the command", allow)
		}
		if sec["s"][mapi.PrPassword] == "pw" {
			t.Fatal("the dry run has the command's output")
		}
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		p := profile.New("a", []string{id.Recipient().String()})
		plan, err := Apply(p, m, sec, ApplyOptions{IDs: []age.Identity{id}})
		if err != nil {
			t.Fatal(err)
		}
		res.Annotate(plan)
		var line string
		for _, c := range plan.Changes {
			if c.Secret {
				line = c.String()
			}
		}
		if line != "create s.password (secret) (from command sh, not run in a dry run)" {
			t.Errorf("plan line %q", line)
		}
	}
}

func TestCommandNeedsConsent(t *testing.T) {
	dir := t.TempDir()
	m := credDoc(`{command: [sh, -c, "touch ran; echo pw"]}`)
	ran := func() bool {
		_, err := os.Stat(filepath.Join(dir, "ran"))
		defer os.Remove(filepath.Join(dir, "ran"))
		return err == nil
	}
	// Nobody to ask: 64 naming the flag, nothing run.
	_, err := (&Resolver{Dir: dir}).ResolveAll(m)
	if codeName(err) != "MAPI_E_INVALID_PARAMETER" || !strings.Contains(err.Error(), "--allow-commands") ||
		!strings.Contains(strings.Join(mapi.AsError(err).Hints, " "), "--allow-commands") || ran() {
		t.Fatalf("no consent: %v (ran=%v)", err, ran())
	}
	// Asked, with the argv in full; "no" is 130 and runs nothing.
	var asked []string
	no := func(what string) (bool, error) { asked = append(asked, what); return false, nil }
	_, err = (&Resolver{Dir: dir, Confirm: no}).ResolveAll(m)
	if codeName(err) != "MAPI_E_USER_CANCEL" || ran() {
		t.Fatalf("declined: %v", err)
	}
	if len(asked) != 1 || !strings.Contains(asked[0], `"sh" "-c" "touch ran; echo pw"`) || !strings.Contains(asked[0], "s.password") {
		t.Fatalf("prompt %q", asked)
	}
	yes := func(string) (bool, error) { return true, nil }
	sec, err := (&Resolver{Dir: dir, Confirm: yes}).ResolveAll(m)
	if err != nil || sec["s"][mapi.PrPassword] != "pw" || !ran() {
		t.Fatalf("confirmed: %v %v", sec, err)
	}
	never := func(string) (bool, error) { t.Fatal("asked despite AllowCommands"); return false, nil }
	sec, err = (&Resolver{Dir: dir, AllowCommands: true, Confirm: never}).ResolveAll(m)
	if err != nil || sec["s"][mapi.PrPassword] != "pw" || !ran() {
		t.Fatalf("allowed: %v %v", sec, err)
	}
}

func TestCommandEnvironment(t *testing.T) {
	t.Setenv("MAPICTL_IDENTITY", "AGE-SECRET-KEY-1TESTONLY")
	t.Setenv("MAPICTL_SESSION", "s1.AGE-SECRET-KEY-1TESTSESSION")
	t.Setenv("mapictl_lower", "x")
	t.Setenv("SECRET_CMD_TEST_VISIBLE", "visible")
	res := &Resolver{Dir: t.TempDir(), AllowCommands: true}
	sec, err := res.ResolveAll(credDoc(`{command: [sh, -c, "env | grep -i mapictl_ || echo none"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := sec["s"][mapi.PrPassword]; got != "none" {
		t.Errorf("the command saw %q", got)
	}
	sec, err = res.ResolveAll(credDoc(`{command: [sh, -c, "echo $SECRET_CMD_TEST_VISIBLE"]}`))
	if err != nil || sec["s"][mapi.PrPassword] != "visible" {
		t.Errorf("the rest of the environment is lost: %v %v", sec, err)
	}
	got := childEnv([]string{"A=1", "MAPICTL_IDENTITY=k", "Mapictl_Session=t", "MAPICTLX=2", "B=MAPICTL_X"})
	if strings.Join(got, ",") != "A=1,MAPICTLX=2,B=MAPICTL_X" {
		t.Errorf("childEnv = %q", got)
	}
}

func TestSecretFileOutsideDir(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "m")
	write := func(p, v string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "outside.txt"), "outside")
	write(filepath.Join(dir, "in.txt"), "inside")
	write(filepath.Join(dir, "sub", "deep.txt"), "deep")
	for _, l := range [][2]string{{"../outside.txt", "out-link"}, {"in.txt", "in-link"}, {"..", "up"}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skip("no symlinks:", err)
		}
	}
	tests := []struct {
		src, want string
		outside   bool
	}{
		{"{file: in.txt}", "inside", false},
		{"{file: ./sub/../in.txt}", "inside", false},
		{"{file: sub/deep.txt}", "deep", false},
		{"{file: in-link}", "inside", false},
		{"{file: ../outside.txt}", "outside", true},
		{"{file: sub/../../outside.txt}", "outside", true},
		{"{file: " + filepath.Join(root, "outside.txt") + "}", "outside", true},
		{"{file: out-link}", "outside", true},
		{"{file: up/outside.txt}", "outside", true},
	}
	for _, tt := range tests {
		m := credDoc(tt.src)
		sec, err := (&Resolver{Dir: dir}).ResolveAll(m)
		if !tt.outside {
			if err != nil || sec["s"][mapi.PrPassword] != tt.want {
				t.Errorf("%s: %v %v", tt.src, sec, err)
			}
			continue
		}
		if codeName(err) != "MAPI_E_INVALID_PARAMETER" || !strings.Contains(err.Error(), "outside the manifest's directory") {
			t.Errorf("%s without consent: %v", tt.src, err)
		}
		if err != nil && strings.Contains(err.Error(), "outside\n") {
			t.Errorf("%s: the error holds the file's content", tt.src)
		}
		asked := 0
		sec, err = (&Resolver{Dir: dir, Confirm: func(string) (bool, error) { asked++; return true, nil }}).ResolveAll(m)
		if err != nil || asked != 1 || sec["s"][mapi.PrPassword] != tt.want {
			t.Errorf("%s confirmed: %v %v (asked %d)", tt.src, sec, err, asked)
		}
		sec, err = (&Resolver{Dir: dir, AllowCommands: true}).ResolveAll(m)
		if err != nil || sec["s"][mapi.PrPassword] != tt.want {
			t.Errorf("%s allowed: %v %v", tt.src, sec, err)
		}
		res := &Resolver{Dir: dir, DryRun: true}
		sec, err = res.ResolveAll(m)
		if err != nil || sec["s"][mapi.PrPassword] == tt.want || len(res.standIns) != 1 {
			t.Errorf("%s dry run read it: %v %v", tt.src, sec, err)
		}
	}
	// Whether a file outside exists is not told before consent.
	if _, err := (&Resolver{Dir: dir}).ResolveAll(credDoc("{file: ../missing.txt}")); codeName(err) != "MAPI_E_INVALID_PARAMETER" {
		t.Errorf("missing file outside: %v", err)
	}
	// A manifest directory reached through a symlink: its files are inside.
	alias := filepath.Join(root, "alias")
	if err := os.Symlink("m", alias); err != nil {
		t.Fatal(err)
	}
	sec, err := (&Resolver{Dir: alias}).ResolveAll(credDoc("{file: in.txt}"))
	if err != nil || sec["s"][mapi.PrPassword] != "inside" {
		t.Errorf("through a symlinked directory: %v %v", sec, err)
	}
}
