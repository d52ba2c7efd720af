package secure

import (
	"encoding/json"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// FuzzOpenRangePlaintext decodes arbitrary range plaintext. It must never
// panic; a failure is CorruptData with a nil range; a success re-encodes to
// JSON that decodes to the same encoding (unknown fields included).
func FuzzOpenRangePlaintext(f *testing.F) {
	for _, s := range []string{
		`{"props":{"0x67F0001F":"alice","0x67F1001F":"pw"},"recipients":["age1x"],"binds":"ab"}`,
		`{"props":{},"recipients":[],"binds":"","extra":{"a":[1,2,{"b":null}]}}`,
		`{"props":{"0x3001001F":"x"}}`,
		`{}`, `null`, `[]`, `{"props":null}`, `{"binds":1}`, `{"a":1,"a":2}`,
		`{"props":{"0x67F1001F":  "x" }, "z" : 1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, plain []byte) {
		r, err := decodeRange(plain)
		if err != nil {
			if r != nil || !mapi.IsCode(err, mapi.CorruptData) {
				t.Fatalf("decodeRange = %v, %v", r, err)
			}
			return
		}
		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		r2, err := decodeRange(enc)
		if err != nil {
			t.Fatalf("decode of re-encoded %s: %v", enc, err)
		}
		enc2, err := json.Marshal(r2)
		if err != nil || string(enc2) != string(enc) {
			t.Fatalf("round trip changed:\n%s\n%s (%v)", enc, enc2, err)
		}
	})
}

// FuzzParseRecipient parses arbitrary recipient text. It must never panic;
// a failure is InvalidParameter; a success normalizes to a fixed point.
func FuzzParseRecipient(f *testing.F) {
	for _, s := range []string{
		"age1am0k0xqz5ps4x7vrynlwlv8tlfl6p2skd5ts0ze4yfp3yk99eplsl4056a",
		"AGE1AM0K0XQZ5PS4X7VRYNLWLV8TLFL6P2SKD5TS0ZE4YFP3YK99EPLSL4056A",
		"age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t",
		"age1pq1", "age1tag1", "age1", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN c",
		"ssh-rsa AAAA", "AGE-SECRET-KEY-1", "", " ", "github:x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecipient(s)
		if err != nil {
			if r != nil || !mapi.IsCode(err, mapi.InvalidParameter) {
				t.Fatalf("ParseRecipient = %v, %v", r, err)
			}
			return
		}
		n, err := NormalizeRecipient(s)
		if err != nil {
			t.Fatalf("parses but does not normalize: %v", err)
		}
		n2, err := NormalizeRecipient(n)
		if err != nil || n2 != n {
			t.Fatalf("normalize not idempotent: %q -> %q (%v)", n, n2, err)
		}
	})
}
