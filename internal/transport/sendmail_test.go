package transport

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeSendmail writes a shell script that records argv, environment and
// stdin in dir, prints "oops" on stderr and exits with status code.
func fakeSendmail(t *testing.T, code int) (prog, dir string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	dir = t.TempDir()
	prog = filepath.Join(dir, "sendmail")
	script := "#!/bin/sh\n" +
		"d=$(dirname \"$0\")\n" +
		"for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$d/argv\"\n" +
		"env > \"$d/env\"\ncat > \"$d/stdin\"\n" +
		"printf 'oops\\001\\nline two\\n' >&2\nexit " + itoa(code) + "\n"
	if err := os.WriteFile(prog, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return prog, dir
}

func TestSendmailDelivers(t *testing.T) {
	prog, dir := fakeSendmail(t, 0)
	t.Setenv("MAPICTL_PASSPHRASE", "hunter2")
	t.Setenv("MAPICTL_PROFILE", "work")
	t.Setenv("KEEP_ME", "yes")
	tr := newT(t, Config{Kind: "sendmail", SendmailPath: prog})
	e := &Envelope{From: "alice@example.org", To: []string{"bob@example.org", "carol@example.org"},
		DSNNotify: []string{"SUCCESS", "FAILURE"}, DSNReturn: "HDRS", EnvID: "id1", Body: "8bitmime"}
	res, err := tr.Send(context.Background(), e, []byte(testMsg))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Accepted, ",") != "bob@example.org,carol@example.org" {
		t.Fatalf("accepted %v", res.Accepted)
	}
	read := func(n string) string { b, _ := os.ReadFile(filepath.Join(dir, n)); return string(b) }
	wantArgv := "-i\n-f\nalice@example.org\n-N\nsuccess,failure\n-R\nhdrs\n-V\nid1\n-B\n8BITMIME\n--\nbob@example.org\ncarol@example.org\n"
	if got := read("argv"); got != wantArgv {
		t.Fatalf("argv\n%s\nwant\n%s", got, wantArgv)
	}
	if got := read("stdin"); got != testMsg {
		t.Fatalf("stdin %q", got)
	}
	envs := read("env")
	if strings.Contains(envs, "MAPICTL_") || !strings.Contains(envs, "KEEP_ME=yes") {
		t.Fatalf("child environment:\n%s", envs)
	}
}

func TestSendmailExitStatus(t *testing.T) {
	tests := []struct {
		code int
		kind Kind
	}{
		{75, KindTemporary}, {64, KindPermanent}, {67, KindPermanent}, {69, KindPermanent},
		{77, KindPermanent}, {78, KindConfig}, {1, KindPermanent},
	}
	for _, tc := range tests {
		t.Run(itoa(tc.code), func(t *testing.T) {
			prog, _ := fakeSendmail(t, tc.code)
			_, err := newT(t, Config{Kind: "sendmail", SendmailPath: prog}).
				Send(context.Background(), env("bob@example.org"), []byte(testMsg))
			e := wantErr(t, err, tc.kind, StageDeliver)
			if !strings.Contains(e.Message, "status "+itoa(tc.code)) || !strings.HasSuffix(e.Message, ": oops? line two") {
				t.Fatalf("message %q", e.Message)
			}
		})
	}
}

func TestSendmailKilledIsTemporary(t *testing.T) {
	prog, _ := fakeSendmail(t, 0)
	os.WriteFile(prog, []byte("#!/bin/sh\ncat >/dev/null\nkill -9 $$\n"), 0o700)
	_, err := newT(t, Config{Kind: "sendmail", SendmailPath: prog}).
		Send(context.Background(), env("bob@example.org"), []byte(testMsg))
	wantErr(t, err, KindTemporary, StageDeliver)
}

func TestSendmailRefusesItself(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	link := filepath.Join(t.TempDir(), "sendmail")
	if err := os.Symlink(self, link); err != nil {
		t.Skip(err)
	}
	for name, cfg := range map[string]Config{
		"SelfExe set":     {Kind: "sendmail", SendmailPath: link, SelfExe: self},
		"SelfExe empty":   {Kind: "sendmail", SendmailPath: link},
		"direct path":     {Kind: "sendmail", SendmailPath: self},
		"selfexe symlink": {Kind: "sendmail", SendmailPath: self, SelfExe: link},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			wantErr(t, err, KindConfig, StageConfig)
		})
	}
	if _, err := New(Config{Kind: "sendmail", SendmailPath: "/no/such/sendmail"}); err == nil {
		t.Fatal("missing program accepted")
	}
}
