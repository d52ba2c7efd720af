package prf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// FuzzParse: Parse never panics; it returns either a File that keeps the
// package's invariants or an *Error and no File; and the result does not
// depend on the encoding: the decoded text re-encoded as UTF-8 with a BOM
// and as UTF-16LE with a BOM parses to the same File or the same error.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.prf")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(bytes.NewReader(data), testEnv)
		checkResult(t, file, err)
		text, derr := decodeText(data)
		if derr != nil {
			return
		}
		u16 := utf16.Encode([]rune(text))
		le := make([]byte, 2+2*len(u16))
		le[0], le[1] = 0xFF, 0xFE
		for i, u := range u16 {
			binary.LittleEndian.PutUint16(le[2+2*i:], u)
		}
		for _, re := range [][]byte{append([]byte("\xef\xbb\xbf"), text...), le} {
			file2, err2 := Parse(bytes.NewReader(re), testEnv)
			if !reflect.DeepEqual(file, file2) || errString(err) != errString(err2) {
				t.Fatalf("re-encoded input parses differently:\n%+v %v\n%+v %v", file, err, file2, err2)
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func checkResult(t *testing.T, f *File, err error) {
	t.Helper()
	if err != nil {
		var pe *Error
		if f != nil || !errors.As(err, &pe) || pe.Msg == "" || strings.ContainsAny(err.Error(), "\r\n") {
			t.Fatalf("bad failure: %#v %v", f, err)
		}
		return
	}
	if f == nil {
		t.Fatal("nil File without error")
	}
	switch f.Overwrite {
	case "yes", "no", "append":
	default:
		t.Fatalf("Overwrite %q", f.Overwrite)
	}
	for _, s := range f.Services {
		if s.Name == "" || s.ID == "" || s.Mapping == "" || (s.ServiceName == "" && s.SectionGUID == "") {
			t.Fatalf("incomplete service %+v", s)
		}
		for _, p := range s.Props {
			checkProp(t, p, false)
		}
		for _, p := range s.Secure {
			checkProp(t, p, true)
		}
	}
	for _, a := range f.Accounts {
		if a.SMTPServer == "" || a.AccountType == "" || a.Raw == nil {
			t.Fatalf("incomplete account %+v", a)
		}
		switch a.SMTPSecurity {
		case "none", "tls", "starttls":
		default:
			t.Fatalf("SMTPSecurity %q", a.SMTPSecurity)
		}
		if a.SMTPPort < 0 || a.SMTPPort > 65535 || a.IncomingPort < 0 || a.IncomingPort > 65535 {
			t.Fatalf("ports %d %d", a.SMTPPort, a.IncomingPort)
		}
	}
}

func checkProp(t *testing.T, p Prop, secure bool) {
	t.Helper()
	if IsSecure(p.Tag) != secure || p.Key == "" || p.Line < 1 {
		t.Fatalf("prop %+v in the wrong range or incomplete", p)
	}
	var ok bool
	switch p.Tag & 0xFFFF {
	case PTString8, PTUnicode:
		_, ok = p.Value.(string)
	case PTLong:
		_, ok = p.Value.(int32)
	case PTBoolean:
		_, ok = p.Value.(bool)
	case PTBinary:
		var b []byte
		b, ok = p.Value.([]byte)
		ok = ok && len(b) > 0
	}
	if id := p.Tag >> 16; !ok || id == 0 || id >= 0x8000 {
		t.Fatalf("prop %+v: value does not match its tag", p)
	}
}
