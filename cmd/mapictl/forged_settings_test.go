package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// forgeProfile rewrites a profile file as anyone holding one reader's key
// can: decrypt the outer layer with idFile, edit the JSON document, and
// encrypt it again to the recipients the document lists. It cannot sign.
func forgeProfile(t *testing.T, file, idFile string, edit func(doc map[string]any)) {
	t.Helper()
	keys, err := os.ReadFile(idFile)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(ct), ids...)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	plain, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var recips []age.Recipient
	for _, s := range doc["recipients"].([]any) {
		rs, err := age.ParseRecipients(strings.NewReader(s.(string)))
		if err != nil {
			t.Fatal(err)
		}
		recips = append(recips, rs...)
	}
	var out bytes.Buffer
	w, err := age.Encrypt(&out, recips...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sectionProps returns the props object of section name in doc.
func sectionProps(t *testing.T, doc map[string]any, name string) map[string]any {
	t.Helper()
	for _, s := range doc["sections"].([]any) {
		sec := s.(map[string]any)
		if sec["name"] == name {
			props, _ := sec["props"].(map[string]any)
			if props == nil {
				props = map[string]any{}
				sec["props"] = props
			}
			return props
		}
	}
	t.Fatalf("no section %q", name)
	return nil
}

// TestForgedBoundSetting: for every setting that decides where a section's
// secrets or mail go or what runs, a reader's forged change makes the
// profile unconfirmed: every command that would use the credentials, send,
// log on, or write is 77, the file stays as it is, and the owner's own
// edit does not certify it. After the owner's reviewed accept (which names
// the setting), the credentials work again, re-bound.
func TestForgedBoundSetting(t *testing.T) {
	rows := []struct {
		alias string
		tag   string
		value any
	}{
		{"transport", "0x6600001F", "sendmail"},
		{"smtp.host", "0x6601001F", "evil.example.net"},
		{"smtp.port", "0x66020003", json.Number("2525")},
		{"smtp.security", "0x6603001F", "none"},
		{"smtp.auth", "0x6604001F", "plain"},
		{"smtp.ca-file", "0x6606001F", "/tmp/evil-ca.pem"},
		{"smtp.tls-fingerprint", "0x6607001F", strings.Repeat("ab", 32)},
		{"smtp.insecure-skip-verify", "0x6608000B", true},
		{"smtp.allow-insecure-auth", "0x6609000B", true},
		{"email", "0x3003001F", "someone@evil.example"},
		{"maildir.path", "0x660A001F", "/tmp/evil-maildir"},
		{"sendmail.path", "0x660B001F", "/tmp/evil-sendmail"},
		{"inbound.host", "0x6611001F", "imap.evil.example"},
		{"oauth2.token-url", "0x6625001F", "https://evil.example/token"},
	}
	for _, row := range rows {
		t.Run(row.alias, func(t *testing.T) {
			s := newRelStore(t)
			run := func(want int, args ...string) string {
				t.Helper()
				code, out, errs := s.inproc(nil, args...)
				if code != want {
					t.Fatalf("mapictl %v: exit %d, want %d\n%s%s", args, code, want, out, errs)
				}
				return errs
			}
			run(0, "profile", "create", "work", "--default")
			run(0, "section", "create", "s1", "--set", "smtp.host=mail.example.com", "--set", "email=a@example.com")
			code, _, errs := s.inprocStdin("hunter2\n", "credential", "set", "s1", "--username", "dana", "--password-stdin")
			if code != 0 {
				t.Fatalf("credential set: %d %s", code, errs)
			}
			guest := filepath.Join(t.TempDir(), "guest.txt")
			run(0, "identity", "new", "--out", guest)
			code, guestR, _ := s.inproc(nil, "identity", "show", "-i", guest)
			if code != 0 {
				t.Fatalf("identity show: %d", code)
			}
			run(0, "section", "share", "s1", "--recipient", strings.TrimSpace(guestR))

			file := filepath.Join(s.dir, "profiles", "work.age")
			forgeProfile(t, file, guest, func(doc map[string]any) {
				sectionProps(t, doc, "s1")[row.tag] = row.value
				// as a careful attacker would: a newer version, so only
				// the signature tells the forgery apart
				v, _ := doc["version"].(json.Number).Int64()
				doc["version"] = v + 1
			})
			forged, _ := os.ReadFile(file)
			for _, args := range [][]string{
				{"credential", "get", "s1"},
				{"section", "open", "s1", "--secure"},
				{"message", "send", "--to", "x@example.org", "--subject", "s", "--body", "b"},
				{"session", "logon", "--offline"},
				{"section", "set", "s1", "display-name=Dana"},
				{"profile", "export", "work"},
				{"profile", "copy", "work", "copy"},
			} {
				errs := run(77, args...)
				if !strings.Contains(errs, "unconfirmed") || !strings.Contains(errs, "profile accept work") {
					t.Errorf("mapictl %v: stderr does not say unconfirmed with the accept hint:\n%s", args, errs)
				}
			}
			if now, _ := os.ReadFile(file); !bytes.Equal(now, forged) {
				t.Fatalf("a refused command rewrote the profile")
			}
			if _, err := os.Stat(filepath.Join(s.dir, "profiles", "copy.age")); err == nil {
				t.Fatalf("copy of an unconfirmed profile was written")
			}
			errs = run(0, "profile", "accept", "work", "--yes")
			if !strings.Contains(errs, row.alias) && !strings.Contains(errs, row.tag) {
				t.Errorf("accept's review does not name %s:\n%s", row.alias, errs)
			}
			if code, out, errs := s.inproc(nil, "credential", "get", "s1"); code != 0 || strings.TrimSpace(out) != "hunter2" {
				t.Fatalf("after accept: credential get: %d %q %s", code, out, errs)
			}
		})
	}
}

// TestReaderCannotWrite: a reader of one section reads it, but every
// command that would change the profile is 77 ("only an owner"), and the
// file is unchanged.
func TestReaderCannotWrite(t *testing.T) {
	s := newRelStore(t)
	must := func(args ...string) {
		t.Helper()
		if code, out, errs := s.inproc(nil, args...); code != 0 {
			t.Fatalf("mapictl %v: %d\n%s%s", args, code, out, errs)
		}
	}
	must("profile", "create", "work", "--default")
	must("section", "create", "s1", "--transport", "maildir", "--set", "email=a@example.com")
	if code, _, errs := s.inprocStdin("pw\n", "credential", "set", "s1", "--username", "u", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	guest := filepath.Join(t.TempDir(), "guest.txt")
	must("identity", "new", "--out", guest)
	_, guestR, _ := s.inproc(nil, "identity", "show", "-i", guest)
	must("section", "share", "s1", "--recipient", strings.TrimSpace(guestR))
	file := filepath.Join(s.dir, "profiles", "work.age")
	before, _ := os.ReadFile(file)
	if code, out, _ := s.inproc(nil, "-i", guest, "credential", "get", "s1"); code != 0 || strings.TrimSpace(out) != "pw" {
		t.Fatalf("reader: credential get: %d %q", code, out)
	}
	for _, args := range [][]string{
		{"-i", guest, "section", "set", "s1", "display-name=X"},
		{"-i", guest, "section", "create", "relay", "--transport", "sendmail", "--set", "sendmail.path=/bin/true"},
		{"-i", guest, "section", "default", "s1"},
		{"-i", guest, "profile", "owners", "work", "add", strings.TrimSpace(guestR)},
		{"-i", guest, "section", "share", "s1", "--recipient", strings.TrimSpace(guestR)},
		{"-i", guest, "credential", "delete", "s1"},
		{"-i", guest, "profile", "rekey", "work"},
	} {
		code, _, errs := s.inproc(nil, args...)
		if code != 77 || !strings.Contains(errs, "only an owner") {
			t.Errorf("mapictl %v: exit %d, want 77 with 'only an owner':\n%s", args, code, errs)
		}
	}
	if code, _, errs := s.inprocStdin("new\n", "-i", guest, "credential", "set", "s1", "--password-stdin"); code != 77 || !strings.Contains(errs, "only an owner") {
		t.Errorf("reader credential set: exit %d\n%s", code, errs)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(after, before) {
		t.Fatal("a reader's refused command rewrote the profile")
	}
}

// inprocStdin is inproc with stdin.
func (s *relStore) inprocStdin(stdin string, args ...string) (int, string, string) {
	s.t.Helper()
	for _, c := range clearedEnv {
		s.t.Setenv(c, "")
	}
	s.t.Setenv("MAPICTL_STORE", s.dir)
	s.t.Setenv("HOME", s.home)
	s.t.Setenv("XDG_CONFIG_HOME", filepath.Join(s.home, "xdg"))
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"mapictl"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}
