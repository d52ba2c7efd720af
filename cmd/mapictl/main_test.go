package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mapictl/mapictl/internal/secure"
)

// testCmds holds the extra testscript commands. Other test files add theirs
// from an init() func, e.g. testCmds["smtpserver"] = cmdSMTPServer.
var testCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}

var updateScripts = flag.Bool("update", false, "rewrite the cmp/stdout golden sections of testdata/script")

func init() {
	testCmds["truncate"] = cmdTruncate
	testCmds["flipbyte"] = cmdFlipByte
	testCmds["holdlock"] = cmdHoldLock
	testCmds["filemode"] = cmdFileMode
	testCmds["stdout2env"] = cmdStdoutToEnv
	testCmds["grepall"] = cmdGrepAll
	testCmds["agedecrypt"] = cmdAgeDecrypt
	testCmds["tamper"] = cmdTamper
	testCmds["exits"] = cmdExits
	testCmds["ageencrypt"] = cmdAgeEncrypt
}

// mapictlMain is the mapictl command of the scripts: the real run() with an
// optional fixed clock from $MAPICTL_TEST_NOW (RFC 3339).
func mapictlMain() {
	// Leave the developer's controlling terminal, so that a script without
	// ttyin runs as CI does, with no terminal to prompt on (under ttyin the
	// child already leads a session on its pty and this is a no-op).
	detachTerminal()
	// A cheap scrypt for passphrase-protected identities made by scripts.
	secure.TestOnlyScryptWorkFactor = 10
	if s := os.Getenv("MAPICTL_TEST_NOW"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			os.Stderr.WriteString("bad MAPICTL_TEST_NOW: " + err.Error() + "\n")
			os.Exit(2)
		}
		testOnlyNow = func() time.Time { return t }
	}
	// A short wait for credential oauth2's sign-in (tests of its deadline).
	if s := os.Getenv("MAPICTL_TEST_SIGNIN_DEADLINE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			os.Stderr.WriteString("bad MAPICTL_TEST_SIGNIN_DEADLINE: " + err.Error() + "\n")
			os.Exit(2)
		}
		testOnlySignInDeadline = d
	}
	main() // the real main: SIGINT and SIGTERM cancel the run
}

func TestMain(m *testing.M) {
	// sendmail and mailq are the same binary: run() dispatches on os.Args[0].
	testscript.Main(m, map[string]func(){
		"mapictl":  mapictlMain,
		"sendmail": mapictlMain,
		"mailq":    mapictlMain,
	})
}

// clearedEnv lists variables a script must never inherit.
var clearedEnv = []string{"MAPICTL_NO_INPUT", "MAPICTL_PROFILE", "MAPICTL_IDENTITY",
	"MAPICTL_IDENTITY_FILE", "MAPICTL_OUTPUT", "MAPICTL_PASSPHRASE", "MAPICTL_PASSPHRASE_FD",
	"MAPICTL_SESSION", "MAPICTL_TEST_NOW", "MAPICTL_TEST_SIGNIN_DEADLINE", "MAPICTL_LOCK_TIMEOUT", "MAPICTL_CONFIG"}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Cmds:                testCmds,
		Setup: func(e *testscript.Env) error {
			vars := e.Vars[:0]
			for _, kv := range e.Vars {
				name, _, _ := strings.Cut(kv, "=")
				drop := false
				for _, c := range clearedEnv {
					drop = drop || name == c
				}
				if !drop {
					vars = append(vars, kv)
				}
			}
			e.Vars = vars
			e.Setenv("MAPICTL_STORE", filepath.Join(e.WorkDir, "store"))
			e.Setenv("HOME", filepath.Join(e.WorkDir, "home"))
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(e.WorkDir, "xdg"))
			e.Setenv("NO_COLOR", "1")
			return os.MkdirAll(filepath.Join(e.WorkDir, "home"), 0o700)
		},
	})
}

// cmdExits: exits N PROG [ARGS...] — run PROG like exec (stdin, ttyin,
// stdout and stderr as usual) and require exit status N.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d; want %d", args[1], got, want)
	}
}

// cmdTruncate: truncate FILE N — cut FILE to its first N bytes.
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N")
	}
	n, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	ts.Check(os.Truncate(ts.MkAbs(args[0]), n))
}

// cmdFlipByte: flipbyte FILE OFFSET — invert every bit of one byte; a
// negative OFFSET counts from the end.
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	if off < 0 {
		off += len(data)
	}
	if off < 0 || off >= len(data) {
		ts.Fatalf("offset %s out of range (file has %d bytes)", args[1], len(data))
	}
	data[off] ^= 0xff
	ts.Check(os.WriteFile(path, data, 0o600))
}

// cmdHoldLock: holdlock FILE SECONDS — take an exclusive flock on FILE from
// this (test) process and hold it in the background for SECONDS, or until
// the script ends.
func cmdHoldLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: holdlock FILE SECONDS")
	}
	secs, err := strconv.ParseFloat(args[1], 64)
	ts.Check(err)
	fl := flock.New(ts.MkAbs(args[0]), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	ts.Check(err)
	if !ok {
		ts.Fatalf("%s is already locked", args[0])
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-time.After(time.Duration(secs * float64(time.Second))):
		case <-done:
		}
		_ = fl.Unlock()
	}()
	ts.Defer(func() { close(done) })
}

// cmdFileMode: filemode PATH MODE — the permission bits of PATH are MODE
// (octal, e.g. 0600); symlinks are not followed.
func cmdFileMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode PATH MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (got == fs.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o; want %s%#o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// cmdStdoutToEnv: stdout2env [-quote] VAR — set VAR to the last command's
// stdout, without its trailing newline. With -quote the value is escaped with
// regexp.QuoteMeta, so that "stdout $VAR" matches it literally (a key
// fingerprint's "++" is otherwise an invalid regexp).
func cmdStdoutToEnv(ts *testscript.TestScript, neg bool, args []string) {
	quote := len(args) == 2 && args[0] == "-quote"
	if quote {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stdout2env [-quote] VAR")
	}
	v := strings.TrimSuffix(ts.ReadFile("stdout"), "\n")
	if quote {
		v = regexp.QuoteMeta(v)
	}
	ts.Setenv(args[0], v)
}

// cmdGrepAll: grepall DIR STRING — fail if any file under DIR contains
// STRING (with !, fail unless one does). The matching file is named but the
// string itself is never printed.
func cmdGrepAll(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || args[1] == "" {
		ts.Fatalf("usage: grepall DIR STRING")
	}
	needle := []byte(args[1])
	found := ""
	err := filepath.WalkDir(ts.MkAbs(args[0]), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if found == "" && bytes.Contains(data, needle) {
			found = p
		}
		return nil
	})
	ts.Check(err)
	switch {
	case found != "" && !neg:
		ts.Fatalf("secret found in %s", found)
	case found == "" && neg:
		ts.Fatalf("string not found under %s", args[0])
	}
}

// ageOpen decrypts an age file with the identities of idFile using
// filippo.io/age directly, independently of mapictl's own code.
func ageOpen(ts *testscript.TestScript, file, idFile string) []byte {
	idText, err := os.ReadFile(ts.MkAbs(idFile))
	ts.Check(err)
	ids, err := age.ParseIdentities(bytes.NewReader(idText))
	ts.Check(err)
	ct, err := os.ReadFile(ts.MkAbs(file))
	ts.Check(err)
	r, err := age.Decrypt(bytes.NewReader(ct), ids...)
	ts.Check(err)
	plain, err := io.ReadAll(r)
	ts.Check(err)
	return plain
}

// cmdAgeDecrypt: agedecrypt FILE IDENTITYFILE — print the plaintext of the
// age file FILE (what `age -d -i IDENTITYFILE FILE` prints).
func cmdAgeDecrypt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: agedecrypt FILE IDENTITYFILE")
	}
	_, err := ts.Stdout().Write(ageOpen(ts, args[0], args[1]))
	ts.Check(err)
}

// cmdTamper: tamper FILE IDENTITYFILE SECTION HOST — rewrite profile FILE as
// someone holding only the public keys could: the JSON (read here with the
// test's key, standing in for any earlier knowledge of it) gets SECTION's
// smtp.host set to HOST, and is re-encrypted to the recipients the document
// lists. The secure range is copied untouched: the tamperer cannot open it.
func cmdTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: tamper FILE IDENTITYFILE SECTION HOST")
	}
	dec := json.NewDecoder(bytes.NewReader(ageOpen(ts, args[0], args[1])))
	dec.UseNumber()
	var doc map[string]any
	ts.Check(dec.Decode(&doc))
	found := false
	secs, _ := doc["sections"].([]any)
	for _, s := range secs {
		sec, _ := s.(map[string]any)
		if sec["name"] != args[2] {
			continue
		}
		props, _ := sec["props"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			sec["props"] = props
		}
		props["0x6601001F"] = args[3]
		found = true
	}
	if !found {
		ts.Fatalf("no section %q in %s", args[2], args[0])
	}
	plain, err := json.Marshal(doc)
	ts.Check(err)
	var recips []age.Recipient
	list, _ := doc["recipients"].([]any)
	for _, r := range list {
		s, _ := r.(string)
		rs, err := age.ParseRecipients(strings.NewReader(s))
		ts.Check(err)
		recips = append(recips, rs...)
	}
	var out bytes.Buffer
	w, err := age.Encrypt(&out, recips...)
	ts.Check(err)
	_, err = w.Write(plain)
	ts.Check(err)
	ts.Check(w.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), out.Bytes(), 0o600))
}

// cmdAgeEncrypt: ageencrypt RECIPIENT IN OUT — encrypt file IN to RECIPIENT
// with filippo.io/age (a valid age file with arbitrary plaintext).
func cmdAgeEncrypt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: ageencrypt RECIPIENT IN OUT")
	}
	rs, err := age.ParseRecipients(strings.NewReader(args[0]))
	ts.Check(err)
	var out bytes.Buffer
	w, err := age.Encrypt(&out, rs...)
	ts.Check(err)
	_, err = w.Write([]byte(ts.ReadFile(args[1])))
	ts.Check(err)
	ts.Check(w.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), out.Bytes(), 0o600))
}
