package message

import (
	"bytes"
	"strings"
	"testing"
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

// FuzzPrepare checks that Prepare never panics, keeps the body byte for
// byte, leaves a complete message unchanged, and yields a message with Date
// and Message-ID that Prepare accepts again without change.
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
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := split(raw)
		out, h, id, err := Prepare(raw, "fuzz.example", now)
		if err != nil {
			if out != nil {
				t.Fatal("output with an error")
			}
			return
		}
		if got := split(out); !bytes.Equal(got.body, in.body) {
			t.Fatalf("body changed: %q -> %q", in.body, got.body)
		}
		if !bytes.HasPrefix(out, in.hdr) {
			t.Fatalf("original header bytes changed: %q -> %q", raw, out)
		}
		if !h.Has("Date") || !h.Has("Message-Id") || id == "" && strings.TrimSpace(h.Get("Message-Id")) != "" {
			t.Fatalf("Date or Message-ID missing from %q", out)
		}
		again, _, id2, err := Prepare(out, "other.example", now)
		if err != nil || !bytes.Equal(again, out) || id2 != id {
			t.Fatalf("second Prepare changed %q: %q, id %q -> %q, %v", out, again, id, id2, err)
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
