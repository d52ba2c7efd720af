package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// trustFixture is an owner's store holding profile "w": a transport
// section "smtp" (host, password) shared with a reader, and a service
// section "private" whose credentials only the owner reads.
type trustFixture struct {
	st     *Store
	owner  *age.X25519Identity
	reader *age.X25519Identity
	ids    []age.Identity // the owner's
	rids   []age.Identity // the reader's
	uid    string
}

func newTrustFixture(t *testing.T) *trustFixture {
	t.Helper()
	f := &trustFixture{st: &Store{Root: t.TempDir()}, owner: testKey(t), reader: testKey(t)}
	f.ids, f.rids = []age.Identity{f.owner}, []age.Identity{f.reader}
	p := New("w", []string{f.owner.Recipient().String()})
	s, err := p.AddSection("smtp", KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	s.Props[mapi.PrSMTPHost] = "mail.example.com"
	s.Readers = []string{f.reader.Recipient().String()}
	if err := p.WriteSecure(s, f.ids, map[mapi.Tag]any{mapi.PrPassword: "hunter2"}); err != nil {
		t.Fatal(err)
	}
	priv, err := p.AddSection("private", KindService, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WriteSecure(priv, f.ids, map[mapi.Tag]any{mapi.PrPassword: "owner-only"}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Create(p); err != nil {
		t.Fatal(err)
	}
	f.uid = p.UID
	return f
}

// file returns the bytes of profile w's file.
func (f *trustFixture) file(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(f.st.Path("w"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pinFiles returns the pin and the last verified copy of w, as they are.
func (f *trustFixture) pinFiles(t *testing.T) string {
	t.Helper()
	pin, err := os.ReadFile(f.st.pinPath(f.uid))
	if err != nil {
		t.Fatal(err)
	}
	last, _ := os.ReadFile(filepath.Join(f.st.TrustDir(), f.uid+".age"))
	return string(pin) + "\x00" + string(last)
}

func (f *trustFixture) pin(t *testing.T) *Pin {
	t.Helper()
	pin, err := f.st.Pin(f.uid)
	if err != nil || pin == nil {
		t.Fatalf("pin: %v, %v", pin, err)
	}
	return pin
}

// forge rewrites the outer layer as anyone holding a reader's key and the
// public keys can: decrypt, edit the plaintext, encrypt it again to the
// same recipients.
func (f *trustFixture) forge(t *testing.T, edit func(doc []byte) []byte) {
	t.Helper()
	doc, err := secure.Decrypt(f.file(t), f.rids)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Unmarshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := secure.Encrypt(edit(doc), p.Recipients)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.st.Path("w"), ct, 0o600); err != nil {
		t.Fatal(err)
	}
}

// withSignature appends a signature member to body, as signDocument does,
// with a signature of the caller's choosing.
func withSignature(body []byte, sig string) []byte {
	end := bytes.TrimRight(body, "\n")
	return append(bytes.Clone(end[:len(end)-1]), sigMember+sig+"\"}\n"...)
}

// keepSignature edits the document and keeps its old signature.
func keepSignature(t *testing.T, edit func(p *Profile)) func([]byte) []byte {
	return func(doc []byte) []byte {
		body, sig, ok := splitSigned(doc)
		if !ok {
			t.Fatal("the document is not signed")
		}
		p, err := Unmarshal(body)
		if err != nil {
			t.Fatal(err)
		}
		edit(p)
		b, err := Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return withSignature(b, sig)
	}
}

// signWithOwnKey edits the document as an attacker who signs it with a key
// of its own, sealed to the owners so that it looks like an owner's, at
// the next version. It returns the attacker's key.
func signWithOwnKey(t *testing.T, key *secure.SigningKey, claim string, edit func(p *Profile)) func([]byte) []byte {
	return func(doc []byte) []byte {
		p, err := Unmarshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		edit(p)
		sealed, err := key.Seal(p.Owners)
		if err != nil {
			t.Fatal(err)
		}
		if claim == "" {
			claim = key.Public()
		}
		p.Signing = &Signing{Key: claim}
		p.Signing.setSealed(sealed)
		p.Version++
		b, err := Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := signDocument(b, key)
		return out
	}
}

func setHost(host string) func(p *Profile) {
	return func(p *Profile) {
		s, _ := p.Section("smtp")
		s.Props[mapi.PrSMTPHost] = host
	}
}

// assertUnconfirmed: every reader but Inspect and every writer refuses
// profile w with MAPI_E_NO_ACCESS, Inspect says why (reason), and neither
// the file nor this store's pin changes.
func (f *trustFixture) assertUnconfirmed(t *testing.T, reason string) {
	t.Helper()
	pins, file := f.pinFiles(t), f.file(t)
	for what, try := range map[string]func() error{
		"Load":        func() error { _, err := f.st.Load("w", f.ids); return err },
		"LoadSection": func() error { _, err := f.st.LoadSection("w", "smtp", f.ids); return err },
		"LoadSection of a reader": func() error {
			_, err := f.st.LoadSection("w", "smtp", f.rids)
			return err
		},
		"Update": func() error {
			_, err := f.st.Update("w", f.ids, func(p *Profile) error { _, err := p.AddSection("x", KindService, ""); return err })
			return err
		},
		"Copy":   func() error { _, err := f.st.Copy("w", "w2", f.ids); return err },
		"Rename": func() error { _, err := f.st.Rename("w", "w3", f.ids); return err },
	} {
		err := try()
		if e := mapi.AsError(err); err == nil || e.Code != mapi.NoAccess || !strings.Contains(e.Msg, "unconfirmed") {
			t.Errorf("%s: %v, want MAPI_E_NO_ACCESS saying the profile is unconfirmed", what, err)
		} else if !strings.Contains(e.Msg, reason) {
			t.Errorf("%s: %q does not say %q", what, e.Msg, reason)
		}
	}
	p, err := f.st.Inspect("w", f.ids)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if p.Trust.Verified || !strings.Contains(p.Trust.Reason, reason) {
		t.Errorf("Inspect: verified %v, reason %q; want unconfirmed because %q", p.Trust.Verified, p.Trust.Reason, reason)
	}
	if f.pinFiles(t) != pins {
		t.Error("the pin changed")
	}
	if !bytes.Equal(f.file(t), file) {
		t.Error("the profile file was rewritten")
	}
	if f.st.Exists("w2") || f.st.Exists("w3") {
		t.Error("an unconfirmed profile was copied or renamed")
	}
}

func TestSignedDocumentRoundTrip(t *testing.T) {
	key := secure.NewSigningKey()
	body, err := Marshal(skimProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	doc, digest := signDocument(body, key)
	if digest != sha256.Sum256(body) {
		t.Error("signDocument signed another digest than the body's")
	}
	got, sig, ok := splitSigned(doc)
	if !ok || !bytes.Equal(got, body) {
		t.Fatalf("splitSigned: ok %v, body\n%s\nwant\n%s", ok, got, body)
	}
	if !secure.VerifySignature(key.Public(), sig, digest) {
		t.Fatal("signature does not verify")
	}
	if !json.Valid(doc) {
		t.Fatalf("a signed document is not JSON:\n%s", doc)
	}
	// the signature member is the last one, and a decoded document marshals
	// back to the signed bytes
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	if m["signature"] != sig {
		t.Errorf("signature member %v, want %v", m["signature"], sig)
	}
	p, err := Unmarshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Marshal(p)
	if !bytes.Equal(again, body) {
		t.Errorf("Marshal(Unmarshal(signed doc)) differs from the signed body")
	}
	// trailing newlines are not part of what is signed
	if b, _, ok := splitSigned(bytes.TrimRight(doc, "\n")); !ok || !bytes.Equal(b, body) {
		t.Error("a signed document without its final newline does not split to the same body")
	}
}

func TestSplitSignedRefuses(t *testing.T) {
	key := secure.NewSigningKey()
	body, err := Marshal(New("w", []string{"age1x"}))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := signDocument(body, key)
	_, sig, _ := splitSigned(doc)
	open := string(body[:len(body)-2]) // without "}\n"
	for name, bad := range map[string]string{
		"unsigned":                   string(body),
		"not at the end":             `{"signature":"` + sig + `",` + string(body[1:]),
		"followed by another member": open + `,"signature":"` + sig + `","zz":"x"}` + "\n",
		"nested in a section": strings.Replace(string(body), `"props":{`,
			`"signature":"`+sig+`","props":{`, 1),
		"nested as the last member of the last value": open + `,"zz":{"signature":"` + sig + `"}}` + "\n",
		"not base64":      open + `,"signature":"` + sig[:10] + "!" + sig[11:] + `"}` + "\n",
		"url-safe base64": open + `,"signature":"` + strings.NewReplacer("+", "-", "/", "_").Replace(sig) + "-_" + `"}` + "\n",
		"a number":        open + `,"signature":1}` + "\n",
		"escaped":         open + `,"signature":"\u0041` + sig[1:] + `"}` + "\n",
	} {
		if b, s, ok := splitSigned([]byte(bad)); ok {
			t.Errorf("%s: split as signed (%q) from\n%s\n%s", name, s, b, bad)
		}
	}
	// one byte of the body or signature changed: never verifies
	for i := range len(doc) - 1 {
		d := bytes.Clone(doc)
		d[i] ^= 0x01
		if b, s, ok := splitSigned(d); ok && secure.VerifySignature(key.Public(), s, sha256.Sum256(b)) {
			t.Fatalf("byte %d (%q) changed and the document still verifies", i, doc[i])
		}
	}
}

// TestCreatedAndUpdatedVerify: what Create and Update write verifies in
// the store that wrote it, under the key it pinned, with the version the
// pin records.
func TestCreatedAndUpdatedVerify(t *testing.T) {
	f := newTrustFixture(t)
	p, err := f.st.Inspect("w", f.ids)
	if err != nil {
		t.Fatal(err)
	}
	pin := f.pin(t)
	if !p.Trust.Verified || !p.Trust.Signed || p.Trust.Reason != "" || p.Version != 1 || pin.Version != 1 ||
		pin.Key != p.Signing.Key {
		t.Fatalf("created: trust %+v, version %d, pin %+v", p.Trust, p.Version, pin)
	}
	q, err := f.st.Update("w", f.ids, setHostErr("mail2.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if q.Version != 2 || f.pin(t).Version != 2 || f.pin(t).Key != pin.Key {
		t.Errorf("updated: version %d, pin %+v", q.Version, f.pin(t))
	}
	if !bytes.Equal(f.st.LastVerified(f.uid), f.file(t)) {
		t.Error("the last verified copy is not the file just written")
	}
	if _, err := f.st.Load("w", f.ids); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.LoadSection("w", "smtp", f.rids); err != nil {
		t.Fatalf("reader: %v", err)
	}
	// an update that changes nothing writes nothing
	before := f.file(t)
	if _, err := f.st.Update("w", f.ids, func(*Profile) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, f.file(t)) || f.pin(t).Version != 2 {
		t.Error("a no-op update wrote a new version")
	}
}

// TestReaderCannotWrite: a reader loads the verified profile but is no
// owner: every write is MAPI_E_NO_ACCESS and the file stays as it is.
func TestReaderCannotWrite(t *testing.T) {
	f := newTrustFixture(t)
	file := f.file(t)
	for what, try := range map[string]func() error{
		"Update": func() error {
			_, err := f.st.Update("w", f.rids, setHostErr("evil.example"))
			return err
		},
		"Copy":   func() error { _, err := f.st.Copy("w", "w2", f.rids); return err },
		"Rename": func() error { _, err := f.st.Rename("w", "w3", f.rids); return err },
	} {
		err := try()
		if e := mapi.AsError(err); err == nil || e.Code != mapi.NoAccess || !strings.Contains(e.Msg, "only an owner") {
			t.Errorf("%s by a reader: %v, want MAPI_E_NO_ACCESS naming owners", what, err)
		}
	}
	if !bytes.Equal(file, f.file(t)) || f.st.Exists("w2") || f.st.Exists("w3") {
		t.Error("a reader's write changed the store")
	}
}

func setHostErr(host string) func(p *Profile) error {
	return func(p *Profile) error { setHost(host)(p); return nil }
}

// TestForgedDocumentsUnconfirmed: whatever someone who holds a reader's key
// writes into the outer layer, this store refuses it and keeps its pin.
func TestForgedDocumentsUnconfirmed(t *testing.T) {
	for _, c := range []struct {
		name, reason string
		forge        func(t *testing.T, f *trustFixture)
	}{
		{"signature removed", "not signed", func(t *testing.T, f *trustFixture) {
			f.forge(t, func(doc []byte) []byte { b, _, _ := splitSigned(doc); return b })
		}},
		{"signature removed and a setting changed", "not signed", func(t *testing.T, f *trustFixture) {
			f.forge(t, func(doc []byte) []byte {
				b, _, _ := splitSigned(doc)
				p, _ := Unmarshal(b)
				setHost("evil.example")(p)
				out, _ := Marshal(p)
				return out
			})
		}},
		{"setting changed, old signature kept", "signature does not verify", func(t *testing.T, f *trustFixture) {
			f.forge(t, keepSignature(t, setHost("evil.example")))
		}},
		{"version raised, old signature kept", "signature does not verify", func(t *testing.T, f *trustFixture) {
			f.forge(t, keepSignature(t, func(p *Profile) { p.Version += 10 }))
		}},
		{"owners edited, old signature kept", "signature does not verify", func(t *testing.T, f *trustFixture) {
			f.forge(t, keepSignature(t, func(p *Profile) { p.Owners = append(p.Owners, f.reader.Recipient().String()) }))
		}},
		{"reader removed, old signature kept", "signature does not verify", func(t *testing.T, f *trustFixture) {
			f.forge(t, keepSignature(t, func(p *Profile) { p.Sections[1].Readers = nil }))
		}},
		{"rollback to an older file", "older than version", func(t *testing.T, f *trustFixture) {
			old := f.file(t)
			if _, err := f.st.Update("w", f.ids, setHostErr("mail2.example.com")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f.st.Path("w"), old, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"same version, other content", "other content", func(t *testing.T, f *trustFixture) {
			// two owners' stores write version 2 at once; the other's file
			// arrives here
			other := &Store{Root: t.TempDir()}
			copyStore(t, f.st, other)
			if _, err := f.st.Update("w", f.ids, setHostErr("a.example.com")); err != nil {
				t.Fatal(err)
			}
			if _, err := other.Update("w", f.ids, setHostErr("b.example.com")); err != nil {
				t.Fatal(err)
			}
			theirs, _ := os.ReadFile(other.Path("w"))
			if err := os.WriteFile(f.st.Path("w"), theirs, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"signed with another key", "signed with another key", func(t *testing.T, f *trustFixture) {
			f.forge(t, signWithOwnKey(t, secure.NewSigningKey(), "", setHost("evil.example")))
		}},
		{"signed with another key claiming the pinned one", "signature does not verify", func(t *testing.T, f *trustFixture) {
			f.forge(t, signWithOwnKey(t, secure.NewSigningKey(), f.pin(t).Key, setHost("evil.example")))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newTrustFixture(t)
			c.forge(t, f)
			f.assertUnconfirmed(t, c.reason)
		})
	}
}

// copyStore copies profile w's file and its pin from a store to another,
// as a second machine of the same owner has them.
func copyStore(t *testing.T, from, to *Store) {
	t.Helper()
	if err := to.Init(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to.TrustDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(from.Path("w"), to.Path("w"))
	entries, _ := os.ReadDir(from.TrustDir())
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			copyFile(filepath.Join(from.TrustDir(), e.Name()), filepath.Join(to.TrustDir(), e.Name()))
		}
	}
}

// TestNewerVersionAdvancesPin: a store that verifies a newer version of
// the owner's profile (written elsewhere) pins it, and then refuses the
// version it verified before.
func TestNewerVersionAdvancesPin(t *testing.T) {
	f := newTrustFixture(t)
	other := &Store{Root: t.TempDir()}
	copyStore(t, f.st, other)
	old := f.file(t)
	if _, err := f.st.Update("w", f.ids, setHostErr("mail2.example.com")); err != nil {
		t.Fatal(err)
	}
	newer := f.file(t)
	if err := os.WriteFile(other.Path("w"), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := other.LoadSection("w", "smtp", f.rids)
	if err != nil || s.String(mapi.PrSMTPHost) != "mail2.example.com" {
		t.Fatalf("the newer version: %v", err)
	}
	pin, _ := other.Pin(f.uid)
	if pin == nil || pin.Version != 2 || !bytes.Equal(other.LastVerified(f.uid), newer) {
		t.Fatalf("pin %+v after verifying version 2", pin)
	}
	if err := os.WriteFile(other.Path("w"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Load("w", f.ids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("version 1 after version 2 was verified: %v, want MAPI_E_NO_ACCESS", err)
	}
	// and a write from version 2 continues at version 3
	if err := os.WriteFile(other.Path("w"), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	q, err := other.Update("w", f.ids, setHostErr("mail3.example.com"))
	if err != nil || q.Version != 3 {
		t.Fatalf("update: %v, version %d", err, q.Version)
	}
}

// TestBoundSettings: every setting that decides where a section's secrets
// or mail go, or what runs with them, binds its range: changed in the
// document (as a signed owner document whose range was bound to other
// settings would have it), ReadSecure refuses with MAPI_E_NO_ACCESS naming
// the setting, old -> new. Settings that move nothing do not bind.
func TestBoundSettings(t *testing.T) {
	inbound := mapi.PrInboundMDA // 0x6618001F: named since issue 27
	oauth2 := mapi.NewTag(mapi.PtUnicode, 0x6625)
	initial := map[mapi.Tag]any{
		mapi.PrTransport:        "smtp",
		mapi.PrSMTPHost:         "mail.example.com",
		mapi.PrSMTPPort:         int32(587),
		mapi.PrSMTPSecurity:     "starttls",
		mapi.PrSMTPAuth:         "auto",
		mapi.PrSMTPCAFile:       "/etc/ca.pem",
		mapi.PrSMTPFingerprint:  "ab:cd",
		mapi.PrSMTPInsecure:     false,
		mapi.PrSMTPInsecureAuth: false,
		mapi.PrEmailAddress:     "alice@example.com",
		mapi.PrMaildirPath:      "/home/a/Maildir",
		mapi.PrSendmailPath:     "/usr/sbin/sendmail",
		inbound:                 "/usr/bin/procmail",
		oauth2:                  "https://auth.example.com/token",
		mapi.PrDisplayName:      "Alice",
		mapi.PrSMTPHelo:         "alice.example.com",
		mapi.PrTimeout:          int32(30),
	}
	for _, c := range []struct {
		tag  mapi.Tag
		v    any // nil: removed
		want string
	}{
		{mapi.PrTransport, "sendmail", `transport: "smtp" -> "sendmail"`},
		{mapi.PrSMTPHost, "evil.example", `smtp.host: "mail.example.com" -> "evil.example"`},
		{mapi.PrSMTPPort, int32(2525), `smtp.port: 587 -> 2525`},
		{mapi.PrSMTPSecurity, "none", `smtp.security: "starttls" -> "none"`},
		{mapi.PrSMTPAuth, "plain", `smtp.auth: "auto" -> "plain"`},
		{mapi.PrSMTPCAFile, "/tmp/evil.pem", `smtp.ca-file: "/etc/ca.pem" -> "/tmp/evil.pem"`},
		{mapi.PrSMTPFingerprint, "00:11", `smtp.tls-fingerprint: "ab:cd" -> "00:11"`},
		{mapi.PrSMTPInsecure, true, `smtp.insecure-skip-verify: false -> true`},
		{mapi.PrSMTPInsecureAuth, true, `smtp.allow-insecure-auth: false -> true`},
		{mapi.PrEmailAddress, "mallory@example.com", `email: "alice@example.com" -> "mallory@example.com"`},
		{mapi.PrMaildirPath, "/tmp/leak", `maildir.path: "/home/a/Maildir" -> "/tmp/leak"`},
		{mapi.PrSendmailPath, "/tmp/evil", `sendmail.path: "/usr/sbin/sendmail" -> "/tmp/evil"`},
		{inbound, "/tmp/evil-mda", `inbound.mda: "/usr/bin/procmail" -> "/tmp/evil-mda"`},
		{oauth2, "https://evil.example/token", `oauth2.token-url: "https://auth.example.com/token" -> "https://evil.example/token"`},
		{mapi.PrSMTPCAFile, nil, `smtp.ca-file: "/etc/ca.pem" -> unset`},
		{mapi.NewTag(mapi.PtUnicode, 0x661E), "x", `0x661E001F: unset -> "x"`},
		{mapi.NewTag(mapi.PtLong, 0x662F), int32(1), `0x662F0003: unset -> 1`},
		{mapi.PrDisplayName, "Mallory", ""},
		{mapi.PrSMTPHelo, "evil.example", ""},
		{mapi.PrTimeout, int32(1), ""},
	} {
		t.Run(c.tag.String(), func(t *testing.T) {
			k := testKey(t)
			ids := []age.Identity{k}
			p := New("w", []string{k.Recipient().String()})
			s, _ := p.AddSection("smtp", KindTransport, "smtp")
			for tag, v := range initial {
				s.Props[tag] = v
			}
			if err := p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "hunter2"}); err != nil {
				t.Fatal(err)
			}
			if IsBound(c.tag) != (c.want != "") {
				t.Errorf("IsBound(%s) = %v", c.tag, IsBound(c.tag))
			}
			if c.v == nil {
				delete(s.Props, c.tag)
			} else {
				s.Props[c.tag] = c.v
			}
			cr, err := s.ReadSecure(ids)
			if c.want == "" {
				if err != nil || cr.Props[mapi.PrPassword] != "hunter2" {
					t.Fatalf("an unbound setting changed: %v", err)
				}
				return
			}
			e := mapi.AsError(err)
			if err == nil || e.Code != mapi.NoAccess {
				t.Fatalf("ReadSecure: %v, want MAPI_E_NO_ACCESS", err)
			}
			if !strings.Contains(e.Msg, c.want) {
				t.Errorf("%q does not name %s", e.Msg, c.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Error("the error leaks the secret")
			}
			// and the owner's confirmation re-binds it
			if err := p.Reseal(s, ids, true); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ReadSecure(ids); err != nil {
				t.Fatalf("after re-binding: %v", err)
			}
		})
	}
}

// TestSignedDocumentWithStaleBinds: an owner's signed document whose range
// was bound to other settings verifies, and still its credentials are
// refused to a reader, naming the change.
func TestSignedDocumentWithStaleBinds(t *testing.T) {
	f := newTrustFixture(t)
	if _, err := f.st.Update("w", f.ids, setHostErr("evil.example")); err != nil { // no re-bind
		t.Fatal(err)
	}
	s, err := f.st.LoadSection("w", "smtp", f.rids)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ReadSecure(f.rids)
	if e := mapi.AsError(err); err == nil || e.Code != mapi.NoAccess ||
		!strings.Contains(e.Msg, `smtp.host: "mail.example.com" -> "evil.example"`) {
		t.Fatalf("ReadSecure: %v", err)
	}
}

// TestWriteSecureSealsToOwnersAndReaders: a range whose recorded
// recipients (inside and beside it) list a third key, with binds that
// match, is sealed again only to the owners and the section's readers.
func TestWriteSecureSealsToOwnersAndReaders(t *testing.T) {
	owner, reader, attacker := testKey(t), testKey(t), testKey(t)
	ids := []age.Identity{owner}
	p := New("w", []string{owner.Recipient().String()})
	s, _ := p.AddSection("smtp", KindTransport, "smtp")
	s.Props[mapi.PrSMTPHost] = "mail.example.com"
	s.Readers = []string{reader.Recipient().String()}
	forged := []string{owner.Recipient().String(), attacker.Recipient().String()}
	forge := func() {
		armored, err := secure.SealRange(&secure.Range{
			Props:      map[string]json.RawMessage{mapi.PrPassword.String(): json.RawMessage(`"hunter2"`)},
			Recipients: forged, Binds: s.Binds(), Bound: s.bound(),
		}, forged)
		if err != nil {
			t.Fatal(err)
		}
		s.Secure = newSecureBlob(forged, []string{mapi.PrPassword.String()}, armored)
	}
	want := []string{owner.Recipient().String(), reader.Recipient().String()}
	if got := p.SealedTo(s); !slices.Equal(got, want) {
		t.Fatalf("SealedTo = %v, want %v", got, want)
	}
	for name, rewrite := range map[string]func() error{
		"WriteSecure": func() error {
			return p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrPassword: "new"})
		},
		"Reseal":         func() error { return p.Reseal(s, ids, false) },
		"Reseal, rebind": func() error { return p.Reseal(s, ids, true) },
	} {
		forge()
		if _, err := s.OpenSecure([]age.Identity{attacker}); err != nil {
			t.Fatalf("the forged range does not open for the attacker: %v", err)
		}
		if !p.NeedsReseal(s, ids) {
			t.Errorf("%s: NeedsReseal false for a range sealed to a third key", name)
		}
		if err := rewrite(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := s.OpenSecure([]age.Identity{attacker}); !mapi.IsCode(err, mapi.NoAccess) {
			t.Errorf("%s: the attacker still opens the range: %v", name, err)
		}
		c, err := s.ReadSecure([]age.Identity{reader})
		if err != nil {
			t.Fatalf("%s: the reader: %v", name, err)
		}
		if !slices.Equal(c.Recipients, want) || !slices.Equal(s.Secure.Recipients, want) {
			t.Errorf("%s: recipients %v inside, %v beside, want %v", name, c.Recipients, s.Secure.Recipients, want)
		}
		if p.NeedsReseal(s, ids) {
			t.Errorf("%s: NeedsReseal after the rewrite", name)
		}
	}
}
