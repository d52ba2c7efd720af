package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { testCmds["maildir"] = cmdMaildir }

// cmdMaildir: maildir DIR — print every message in DIR/new, in file-name
// order; maildir DIR count N — DIR/new holds exactly N messages.
func cmdMaildir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || (len(args) != 1 && (len(args) != 3 || args[1] != "count")) {
		ts.Fatalf("usage: maildir DIR [count N]")
	}
	files := maildirFiles(ts.MkAbs(args[0]))
	if len(args) == 3 {
		if want, _ := strconv.Atoi(args[2]); len(files) != want {
			ts.Fatalf("%s/new holds %d messages; want %s", args[0], len(files), args[2])
		}
		return
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		ts.Check(err)
		_, err = ts.Stdout().Write(b)
		ts.Check(err)
	}
}

func maildirFiles(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "new", "*"))
	sort.Strings(files)
	return files
}

// TestMaildirReadByPython sends a message with message send (the real run
// function) into a Maildir and reads it back with Python's mailbox and email
// modules, a mail library nobody here wrote.
func TestMaildirReadByPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	dir := t.TempDir()
	store, md := filepath.Join(dir, "store"), filepath.Join(dir, "Maildir")
	att := filepath.Join(dir, "notes.pdf")
	if err := os.WriteFile(att, []byte("%PDF-1.4 fake\x00\x01binary"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAPICTL_STORE", store)
	t.Setenv("MAPICTL_NO_INPUT", "1")
	for _, args := range [][]string{
		{"profile", "create", "p", "--default"},
		{"section", "create", "local", "--transport", "maildir", "--set", "email=me@example.com",
			"--set", "display-name=Zoë Ünïcode", "--set", "maildir.path=" + md},
		{"message", "send", "--to", `"Li, Dana" <dana@example.com>`, "--cc", "cc@example.com",
			"--bcc", "hidden@example.com", "--subject", "Grüße, world", "--body", "line one\nline two ü",
			"--attach", att},
	} {
		var out, errb strings.Builder
		if code := run(context.Background(), append([]string{"mapictl"}, args...), strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("mapictl %v: exit %d: %s", args, code, errb.String())
		}
	}
	script := `
import mailbox, sys, email.policy
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
keys = list(md.keys())
assert len(keys) == 1, keys
raw = md.get_bytes(keys[0])
m = email.message_from_bytes(raw, policy=email.policy.default)
print("from:", m["From"])
print("to:", m["To"])
print("cc:", m["Cc"])
print("bcc:", m["Bcc"])
print("subject:", m["Subject"])
print("mime:", m["MIME-Version"])
print("msgid:", bool(m["Message-ID"]))
print("body:", m.get_body(("plain",)).get_content().replace("\r\n", "\n").strip())
for a in m.iter_attachments():
    print("attachment:", a.get_filename(), a.get_content_type(), a.get_payload(decode=True))
print("defects:", len(m.defects))
`
	out, err := exec.Command(py, "-c", script, md).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"from: Zoë Ünïcode <me@example.com>\n",
		`to: "Li, Dana" <dana@example.com>` + "\n",
		"cc: cc@example.com\n",
		"bcc: None\n",
		"subject: Grüße, world\n",
		"mime: 1.0\n",
		"msgid: True\n",
		"body: line one\nline two ü\n",
		`attachment: notes.pdf application/pdf b'%PDF-1.4 fake\x00\x01binary'` + "\n",
		"defects: 0\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("python read %q; missing %q", got, want)
		}
	}
}
