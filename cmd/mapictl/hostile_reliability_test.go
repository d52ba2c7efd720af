package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// treeState maps every path under dir to its size and modification time,
// to tell whether a command touched anything.
func treeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out[p] = fi.ModTime().String() + " " + fi.Mode().String() + " " + strconv.FormatInt(fi.Size(), 10)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIDsLeavingTheirFolder: session and message IDs that try to leave
// their folder are refused (64) before any file is touched, and a session
// token whose ID does is an unusable token (77), also touching nothing.
func TestIDsLeavingTheirFolder(t *testing.T) {
	s, _, _ := sessionFixture(t)
	// decoys where a path join of each hostile ID would land
	for _, p := range []string{"decoy.json", "decoy.age", "decoy.lock", "spool/decoy.json", "spool/decoy.age",
		"spool/outbox/x/decoy.json", "sessions/decoy.age", "../decoy.json", "../decoy.age"} {
		full := filepath.Join(s.dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("decoy"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := treeState(t, filepath.Dir(s.dir))
	bad := []string{"../decoy", "../../decoy", "..", ".", "x/../../decoy", "/etc/passwd", "decoy/..",
		"../sessions/" + strings.Repeat("a", 26), "0000000000000000000000000/", "00000000000000000000000000\x00"}
	for _, id := range bad {
		for _, args := range [][]string{
			{"session", "show", id}, {"session", "logoff", id},
			{"spool", "show", id}, {"spool", "retry", id}, {"spool", "drop", id},
		} {
			code, _, errs := s.inproc(nil, args...)
			if code != 64 {
				t.Errorf("%q: exit %d; want 64\n%s", args, code, errs)
			}
		}
		if strings.ContainsRune(id, 0) {
			continue // no environment variable can hold a NUL
		}
		token := id + ".AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"
		for _, args := range [][]string{{"session", "show"}, {"session", "logoff"},
			{"message", "send", "--queue", "--to", "a@example.com", "--body", "x"}} {
			code, _, errs := s.inproc(map[string]string{"MAPICTL_SESSION": token}, args...)
			if code != 77 {
				t.Errorf("token with ID %q, %v: exit %d; want 77\n%s", id, args, code, errs)
			}
		}
	}
	after := treeState(t, filepath.Dir(s.dir))
	for p, st := range before {
		if after[p] != st {
			t.Errorf("%s changed or removed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s created", p)
		}
	}
}

// TestLoosePermissionsWarned: like ssh, mapictl warns (once, on stderr)
// about a store or identity.txt that others can read, and about a
// symlinked identity.txt; a private store gets no warning.
func TestLoosePermissionsWarned(t *testing.T) {
	s := newRelStore(t)
	s.must("profile", "create", "p", "--default")
	id := filepath.Join(s.dir, "identity.txt")
	check := func(name, want string) {
		t.Helper()
		code, _, errs := s.inproc(nil, "profile", "list")
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", name, code, errs)
		}
		if want == "" && errs != "" {
			t.Errorf("%s: stderr %q; want nothing", name, errs)
		}
		if want != "" && (!strings.Contains(errs, want) || strings.Count(errs, "warning") != 1) {
			t.Errorf("%s: stderr %q; want one warning with %q", name, errs, want)
		}
	}
	check("private store", "")
	must(t, os.Chmod(s.dir, 0o755))
	check("store 0755", "store directory "+s.dir+" is accessible by others (mode 0755)")
	must(t, os.Chmod(s.dir, 0o700))
	must(t, os.Chmod(id, 0o640))
	check("identity 0640", "identity file "+id+" is accessible by others (mode 0640)")
	must(t, os.Chmod(id, 0o600))
	elsewhere := filepath.Join(s.home, "key.txt")
	must(t, os.Rename(id, elsewhere))
	must(t, os.Symlink(elsewhere, id))
	check("symlinked identity", "identity file "+id+" is a symbolic link")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
