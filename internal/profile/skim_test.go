package profile

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

// checkSkim asserts skim's contract on doc for a reader of section only:
// when skimDocument vouches for doc, the long way (jsontext, all of doc,
// then validate) accepts it too and gives the same profile name and the
// same section, or the same absence of it.
//
// It also reads doc as a plaintext still being decrypted is read, a few
// bytes at a time, and asserts the same verdict and result.
func checkSkim(t *testing.T, doc []byte, only string) (vouched bool) {
	t.Helper()
	got, ok := skimDocument(doc, nil, only)
	for _, step := range []int{1, 3, 8} {
		more := func(have int) []byte { return doc[:min(have+step, len(doc))] }
		dripped, dok := skimDocument(more(0), more, only)
		if dok != ok || ok && !reflect.DeepEqual(dripped, got) {
			t.Fatalf("read %d bytes at a time, skim says %v, not %v, on %q", step, dok, ok, doc)
		}
	}
	if !ok {
		return false
	}
	want, err := unmarshal(bytes.NewReader(doc), only)
	if err == nil {
		err = want.validate(only)
	}
	if err != nil {
		t.Fatalf("skim vouched for a document jsontext or validate refuses (%v):\n%q", err, doc)
	}
	gs, gerr := got.Section(only)
	ws, werr := want.Section(only)
	if got.Name != want.Name || got.UID != want.UID || !reflect.DeepEqual(got.Recipients, want.Recipients) ||
		got.Version != want.Version || !reflect.DeepEqual(got.Owners, want.Owners) ||
		!reflect.DeepEqual(got.Signing, want.Signing) ||
		(gerr == nil) != (werr == nil) || !reflect.DeepEqual(gs, ws) {
		t.Fatalf("skim and jsontext disagree on %q:\n got %#v %#v\nwant %#v %#v", doc, got, gs, want, ws)
	}
	return true
}

// skimProfile is a profile of many shapes: every property type, names and
// values that need escapes or are not ASCII, sections with and without a
// secure range, a service or readers, and the owners' fields: a version,
// two owners and a signing block.
func skimProfile(t testing.TB) *Profile {
	k, k2, r := testKey(t), testKey(t), testKey(t)
	p := New("Büro-Zoë", []string{k.Recipient().String(), k2.Recipient().String()})
	p.Version = 41
	sealed, err := secure.NewSigningKey().Seal(p.Owners)
	if err != nil {
		t.Fatal(err)
	}
	prev, key := secure.NewSigningKey(), secure.NewSigningKey()
	p.Signing = &Signing{Key: key.Public(), Rotations: []Rotation{
		{Key: key.Public(), By: prev.Public(), Sig: prev.Endorse(p.UID, key.Public())}}}
	p.Signing.setSealed(sealed)
	smtp, _ := p.AddSection("smtp", KindTransport, "smtp")
	smtp.Props[mapi.PrSMTPHost] = "mail.example.com"
	smtp.Props[mapi.PrDisplayName] = "Zoë \"Z\" O'Neil \\ tab\t line\u2028 nul\x00 emoji 😀"
	smtp.Readers = []string{r.Recipient().String()}
	p.deriveRecipients()
	creds := map[mapi.Tag]any{mapi.PrUsername: "zoë", mapi.PrPassword: "p\"w\\"}
	if err := p.WriteSecure(smtp, nil, creds); err != nil {
		t.Fatal(err)
	}
	svc, _ := p.AddSection("Ünïcödé svc", KindService, "")
	for tag, v := range everyType() {
		svc.Props[tag] = v
	}
	ab, _ := p.AddSection("ab", KindAddressBook, "")
	ab.Service = "CONTAB"
	ab.Readers = []string{r.Recipient().String(), "age1reader"}
	return p
}

// skimSigned is skimProfile's document as a store writes it: signed.
func skimSigned(t testing.TB) []byte {
	body, err := Marshal(skimProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := signDocument(body, secure.NewSigningKey())
	return doc
}

// storeWritten is a document as the store writes it today, decrypted: made
// through Store.Create and Store.Update (so through commit), with two
// owners, a section with credentials and a reader, and a rotated signing
// key. Whatever a format change adds to what commit writes is in it, so
// the skim tests and FuzzSkimDocument's seeds follow the format without
// being told.
func storeWritten(t testing.TB) []byte {
	owner, other, reader := testKey(t), testKey(t), testKey(t)
	ids := []age.Identity{owner}
	st := &Store{Root: t.TempDir()}
	if err := st.Create(New("fresh", []string{owner.Recipient().String()})); err != nil {
		t.Fatal(err)
	}
	_, err := st.Update("fresh", ids, func(p *Profile) error {
		p.Owners = append(p.Owners, other.Recipient().String())
		p.RotateSigningKey()
		s, err := p.AddSection("smtp", KindTransport, "smtp")
		if err != nil {
			return err
		}
		s.Props[mapi.PrSMTPHost] = "mail.example.com"
		s.Readers = []string{reader.Recipient().String()}
		return p.WriteSecure(s, ids, map[mapi.Tag]any{mapi.PrUsername: "dana", mapi.PrPassword: "hunter2"})
	})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := os.ReadFile(st.Path("fresh"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := secure.Decrypt(ct, ids)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSkimVouchesForWhatMarshalWrites: the fast path is taken for every
// document mapictl writes, compact or indented as by jq, for every section
// and for a missing one, and agrees with jsontext.
func TestSkimVouchesForWhatMarshalWrites(t *testing.T) {
	doc, err := Marshal(skimProfile(t))
	if err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, doc, " \r", "\t  "); err != nil {
		t.Fatal(err)
	}
	legacy := New("old", []string{"age1x", "age1y"}) // no version, owners or signing
	legacy.Owners = nil
	legacyDoc, err := Marshal(legacy)
	if err != nil {
		t.Fatal(err)
	}
	signed, fresh := skimSigned(t), storeWritten(t)
	for _, want := range []string{`"owners":[`, `"signing":{"key":`, `"rotations":[{"by":"`, `"readers":[`, `"secure":{`, `,"signature":"`} {
		if !bytes.Contains(fresh, []byte(want)) {
			t.Fatalf("the store-written document has no %s:\n%s", want, fresh)
		}
	}
	for _, want := range []string{`"version":41`, `"owners":[`, `"signing":{"key":`, `"rotations":[{"by":"`, `"sealed":"-----BEGIN AGE`, `"readers":[`, `,"signature":"`} {
		if !bytes.Contains(signed, []byte(want)) {
			t.Fatalf("the signed document has no %s:\n%s", want, signed)
		}
	}
	for _, d := range [][]byte{doc, indented.Bytes(), signed, legacyDoc, fresh} {
		for _, only := range []string{"global", "smtp", "Ünïcödé svc", "ab", "missing"} {
			if !checkSkim(t, d, only) {
				t.Errorf("skim declined a document Marshal writes (section %q):\n%s", only, d)
			}
		}
	}
}

// TestSkimDeclines: documents that are malformed, or valid but outside the
// shape Marshal writes, are left to jsontext, and UnmarshalSection still
// gives jsontext's verdict.
func TestSkimDeclines(t *testing.T) {
	s := string(skimSigned(t))
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(s, old) {
			t.Fatalf("%q not in the document", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	cases := []struct {
		name, doc string
		valid     bool // UnmarshalSection("smtp") succeeds
	}{
		{"unknown top-level member", replace(`{"format"`, `{"x-new":[1,{"a":null}],"format"`), true},
		{"unknown section member", replace(`"kind":"transport"`, `"kind":"transport","x-new":true`), true},
		{"escaped surrogate pair", replace(`"kind":"transport"`, `"kind":"transport","x":"\ud83d\ude00"`), true},
		{"deep nesting in another section", replace(`"0x70010002"`, `"0x7020101F":[`+strings.Repeat("[", 70)+strings.Repeat("]", 70)+`],"0x70010002"`), true},
		{"null service", replace(`"service":"CONTAB"`, `"service":null`), true},
		{"repeated member", replace(`"kind":"transport"`, `"kind":"transport","kind":"transport"`), false},
		{"lone surrogate", replace(`"kind":"transport"`, `"kind":"transport","x":"\udc00"`), false},
		{"control character", replace(`"kind":"transport"`, "\"kind\":\"trans\x01port\""), false},
		{"invalid UTF-8", replace(`"kind":"transport"`, "\"kind\":\"trans\xffport\""), false},
		{"bad escape", replace(`"kind":"transport"`, `"kind":"trans\qport"`), false},
		{"leading zero", replace(`"kind":"transport"`, `"kind":"transport","x":01`), false},
		{"bare minus", replace(`"kind":"transport"`, `"kind":"transport","x":-`), false},
		{"trailing comma", replace(`"kind":"transport"`, `"kind":"transport",`), false},
		{"bad literal", replace(`"kind":"transport"`, `"kind":"transport","x":tru`), false},
		{"data after the document", s + `{}`, false},
		{"truncated", s[:len(s)/2], false},
		{"wrong format", replace(Format, "mapictl.profile/9"), false},
		{"kind a number", replace(`"kind":"transport","name":"smtp"`, `"kind":7,"name":"smtp"`), false},
		{"duplicate section name", replace(`"name":"ab"`, `"name":"smtp"`), false},
		{"duplicate name of another section", replace(`"name":"ab"`, `"name":"global"`), false},
		{"second global section", replace(`"kind":"addressbook"`, `"kind":"global"`), false},
		{"unknown kind", replace(`"kind":"addressbook"`, `"kind":"folder"`), false},
		{"malformed uid", replace(`"uid":"`, `"uid":"X`), false},
		{"bad section name", replace(`"name":"ab"`, `"name":"a/b"`), false},
		{"escaped kind", replace(`"kind":"addressbook"`, `"kind":"addressboo\u006b"`), true},
		// the owners' fields
		{"null owners", replace(`"owners":[`, `"owners":null,"x":[`), true},
		{"null readers", replace(`"readers":[`, `"readers":null,"x":[`), true},
		{"null signature", replace(`"signature":"`, `"signature":null,"x":"`), true},
		{"unknown signing member", replace(`"signing":{`, `"signing":{"algo":"ed25519",`), true},
		{"signing key null", replace(`"signing":{"key":"`, `"signing":{"key":null,"x":"`), true},
		{"version 1.0", replace(`"version":41`, `"version":41.0`), false},
		{"version 4e1", replace(`"version":41`, `"version":4.1e1`), false},
		{"negative version", replace(`"version":41`, `"version":-41`), false},
		{"version a string", replace(`"version":41`, `"version":"41"`), false},
		{"version out of range", replace(`"version":41`, `"version":99999999999999999999`), false},
		{"repeated version", replace(`"version":41`, `"version":41,"version":41`), false},
		{"repeated owners", replace(`"owners":[`, `"owners":[],"owners":[`), false},
		{"repeated signature", replace(`,"signature":"`, `,"signature":"AAAA","signature":"`), false},
		{"signature a number", replace(`,"signature":"`, `,"signature":1,"x":"`), false},
		{"owners not strings", replace(`"owners":[`, `"owners":[1,`), false},
		{"readers not strings", replace(`"readers":[`, `"readers":[true,`), false},
		{"repeated readers", replace(`"readers":[`, `"readers":[],"readers":[`), false},
		{"sealed key a number", replace(`"sealed":"`, `"sealed":1,"x":"`), false},
		{"signing without sealed key", replace(`"sealed":"`, `"x":"`), false},
		{"signing an array", replace(`"signing":{`, `"signing":[],"x":{`), false},
		{"unknown rotation member", replace(`"rotations":[{`, `"rotations":[{"when":1,`), true},
		{"rotation by null", replace(`"rotations":[{"by":"`, `"rotations":[{"by":null,"x":"`), true},
		{"null rotations", replace(`"rotations":[`, `"rotations":null,"x":[`), false},
		{"rotation without sig", replace(`,"sig":"`, `,"x":"`), false},
		{"rotation a string", replace(`"rotations":[{`, `"rotations":["x",{`), false},
		{"repeated rotations", replace(`"rotations":[`, `"rotations":[],"rotations":[`), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := []byte(c.doc)
			if checkSkim(t, d, "smtp") {
				t.Errorf("skim vouched for it")
			}
			_, _, err := UnmarshalSection(d, "smtp")
			if (err == nil) != c.valid {
				t.Errorf("UnmarshalSection: %v, want valid=%v", err, c.valid)
			}
			if err != nil && mapi.AsError(err).Code != mapi.CorruptData {
				t.Errorf("code %v, want MAPI_E_CORRUPT_DATA", mapi.AsError(err).Code)
			}
		})
	}
}

// acceptsValue reports whether jsontext, with decodeOpts, reads data as one
// JSON value and nothing after it.
func acceptsValue(data []byte) bool {
	d := jsontext.NewDecoder(bytes.NewReader(data), decodeOpts)
	if _, err := d.ReadValue(); err != nil {
		return false
	}
	_, err := d.ReadToken()
	return err == io.EOF
}

// skimsValue reports whether skim vouches for data as one JSON value, read
// step bytes at a time (0: all at once).
func skimsValue(data []byte, step int) bool {
	s := skim{b: data}
	if step > 0 {
		s.more = func(have int) []byte { return data[:min(have+step, len(data))] }
		s.b = s.more(0)
	}
	s.space()
	ok := s.value()
	s.space()
	return ok && !s.has(s.i)
}

func TestSkimValue(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{`0`, true}, {`-0.5e+10`, true}, {`1E-2`, true}, {` [ true , false , null ] `, true},
		{`{"a":{"b":[]},"a":1}`, true}, {`"\u00e9\"\\\/\b\f\n\r\t"`, true}, {`"é😀"`, true},
		{`"12345678\"12345678"`, true}, {`"1234567"`, true},
		{`01`, false}, {`1.`, false}, {`.5`, false}, {`1e`, false}, {`+1`, false}, {`-`, false},
		{`[1,]`, false}, {`{"a"}`, false}, {`{"a":1,}`, false}, {`{a:1}`, false}, {`[1 2]`, false},
		{`"abc`, false}, {`"12345678`, false}, {`"\x"`, false}, {`"\u12g4"`, false}, {`"\ud800"`, false},
		{"\"a\x1fb\"", false}, {"\"1234567\x7f\x80\"", false}, {"\"\xed\xa0\x80\"", false},
		{`nul`, false}, {`1 2`, false}, {``, false}, {strings.Repeat("[", 65) + strings.Repeat("]", 65), false},
	} {
		for _, step := range []int{0, 1, 5} {
			if got := skimsValue([]byte(c.in), step); got != c.ok {
				t.Errorf("skim %q, %d bytes at a time = %v, want %v", c.in, step, got, c.ok)
			}
		}
		if c.ok && !acceptsValue([]byte(c.in)) {
			t.Errorf("jsontext refuses %q, which this test expects skim to accept", c.in)
		}
	}
}

// FuzzSkimValue: skim never accepts a value jsontext refuses.
func FuzzSkimValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e3,true,null,"x\n\u00e9"]}`, `"12345678\\12345678"`, "\"\xf0\x9f\x98\x80 1234567\"", `[[[]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ok := skimsValue(data, 0)
		if ok && !acceptsValue(data) {
			t.Fatalf("skim accepts %q, jsontext does not", data)
		}
		if skimsValue(data, 3) != ok {
			t.Fatalf("skim of %q read 3 bytes at a time differs", data)
		}
	})
}

// FuzzSkimDocument: whenever skim vouches for a document, jsontext decodes
// it to the same profile.
func FuzzSkimDocument(f *testing.F) {
	doc, err := Marshal(skimProfile(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc, "smtp")
	f.Add(doc, "global")
	f.Add(doc, "none")
	signed := skimSigned(f)
	f.Add(signed, "smtp")
	f.Add(signed, "ab")
	fresh := storeWritten(f)
	f.Add(fresh, "smtp")
	f.Add(fresh, "global")
	f.Add([]byte(`{"format":"mapictl.profile/1","name":"w","uid":"0123456789abcdef0123456789abcdef","version":3,`+
		`"owners":["o"],"recipients":["o","r"],"signing":{"key":"k","sealed":"s"},"sections":[`+
		`{"name":"global","uid":"0123456789abcdef0123456789abcdee","kind":"global","props":{},"readers":["r"]}],`+
		`"signature":"AAAA"}`), "global")
	f.Add([]byte(`{"format":"mapictl.profile/1","name":"w","uid":"u","recipients":[],"sections":[{"name":"a","uid":"","kind":"k","props":{"0x3001001F":"x"}}]}`), "a")
	f.Fuzz(func(t *testing.T, data []byte, only string) {
		checkSkim(t, data, only)
	})
}
