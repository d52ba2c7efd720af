package message

import (
	"bytes"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// FuzzParseAddress checks that every address ParseAddress accepts reads back
// unchanged from its String form.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"d@x", `"Li, Dana" <d@x>`, "Jörg Ärger <j@x>", "=?utf-8?b?5p2x5Lqs?= <t@x>", `"a b"@x`,
		"<a@[127.0.0.1]>", "a@x (Comment)", `"=?utf-8?q?x?=" <a@x>`, `"\"quoted\"" <q@x>`,
		"  spaced   name  <s@x>", "=?iso-8859-1?q?J=F6rg?= <j@x>", "a.b.c@sub.domain.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if a != (Address{}) {
				t.Fatalf("non-zero Address %#v with error", a)
			}
			return
		}
		out := a.String()
		b, err := ParseAddress(out)
		if err != nil {
			t.Fatalf("ParseAddress(%q) = %#v, but its String %q does not parse: %v", s, a, out, err)
		}
		if b != a {
			t.Fatalf("round trip %q -> %#v -> %q -> %#v", s, a, out, b)
		}
		if err := checkAddress(a); err != nil {
			t.Fatalf("parsed address %#v fails checkAddress: %v", a, err)
		}
	})
}

// FuzzPrepare checks that Prepare and PrepareLoose never panic, keep the
// body byte for byte, leave a complete message unchanged, and yield a
// message with Date and Message-ID that Prepare accepts again without
// change; and that PrepareLoose refuses only a NUL or a CR without LF in a
// header field, and accepts whatever Prepare accepts, with the same result.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{
		"From: a@x\r\nSubject: hi\r\n\r\nbody\r\n.\r\n",
		"Subject: x\nDate: Mon, 02 Jan 2006 15:04:05 -0700\n\n\tbody  \n",
		"Date: Mon, 02 Jan 2006 15:04:05 -0700\r\nMessage-ID: <a@b>\r\n\r\n",
		"Subject: no body",
		"\r\nbody only",
		"",
		"Subject: a\r\n folded\r\n\r\n.\r\n\r\n",
		"bad line\r\n\r\n",
		"Subject: x\r",
		"X: \x00\r\n\r\n",
		"disk at 91%\n",
		"Subject: alert\ndisk at 91%\n",
		" indented\nTo: a@x\n",
		"From alice Mon Dec  7 22:00:00 2026\nSubject: a\n\nbody\n",
		"From : a\n\nbody\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		strictOut, _, strictID, strictErr := Prepare(raw, "fuzz.example", now)
		for _, p := range []struct {
			name    string
			prepare func([]byte, string, time.Time) ([]byte, gomail.Header, string, error)
			split   func([]byte) rawMessage
		}{{"Prepare", Prepare, split}, {"PrepareLoose", PrepareLoose, func(b []byte) rawMessage { return splitLoose(DropEnvelopeLine(b)) }}} {
			in := p.split(raw)
			out, h, id, err := p.prepare(raw, "fuzz.example", now)
			if err != nil {
				if out != nil {
					t.Fatalf("%s: output with an error", p.name)
				}
				if p.name == "PrepareLoose" && bytes.IndexByte(in.hdr, 0) < 0 && bareCR(in.hdr) == 0 {
					t.Fatalf("PrepareLoose refused %q (header %q): %v", raw, in.hdr, err)
				}
				continue
			}
			if got := split(out); !bytes.Equal(got.body, in.body) {
				t.Fatalf("%s: body changed: %q -> %q", p.name, in.body, got.body)
			}
			if !bytes.HasPrefix(out, in.hdr) {
				t.Fatalf("%s: original header bytes changed: %q -> %q", p.name, raw, out)
			}
			if !h.Has("Date") || !h.Has("Message-Id") || id == "" && strings.TrimSpace(h.Get("Message-Id")) != "" {
				t.Fatalf("%s: Date or Message-ID missing from %q", p.name, out)
			}
			again, _, id2, err := Prepare(out, "other.example", now)
			if err != nil || !bytes.Equal(again, out) || id2 != id {
				t.Fatalf("%s: second Prepare changed %q: %q, id %q -> %q, %v", p.name, out, again, id, id2, err)
			}
			if p.name == "PrepareLoose" && strictErr == nil {
				want := strictOut
				if id != strictID { // both generated
					want = bytes.Replace(strictOut, []byte(strictID), []byte(id), 1)
				}
				if !bytes.Equal(out, want) {
					t.Fatalf("PrepareLoose and Prepare differ on %q: %q, %q", raw, out, strictOut)
				}
			}
		}
	})
}

// FuzzStripBcc checks that StripBcc keeps the body and leaves no Bcc field
// that go-message can read.
func FuzzStripBcc(f *testing.F) {
	for _, s := range []string{
		"To: a@x\r\nBcc: b@x,\r\n c@x\r\n\r\nBcc: body\r\n",
		"bcc:x\nTo: y\n\nz",
		"Bcc: only",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := StripBcc(raw)
		if !bytes.Equal(split(out).body, split(raw).body) {
			t.Fatalf("body changed: %q -> %q", raw, out)
		}
		if _, h, _, err := Prepare(out, "x", now); err == nil && h.Has("Bcc") {
			t.Fatalf("Bcc left in %q", out)
		}
	})
}
