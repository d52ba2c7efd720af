package profile

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// FuzzSplitSigned: whatever the bytes, a document is taken as signed only
// when it is exactly its signed bytes with one signature member put back
// before the closing brace (trailing newlines aside), and signedDigest,
// which hashes in place, agrees with hashing the copy.
func FuzzSplitSigned(f *testing.F) {
	f.Add([]byte(`{"a":1,"signature":"` + string(bytes.Repeat([]byte("A"), 86)) + `=="}` + "\n"))
	f.Add([]byte(`{"a":1}` + "\n"))
	f.Add([]byte(`{"a":{"signature":"AAAA"}}`))
	f.Add([]byte(`,"signature":""}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		body, sig, ok := splitSigned(doc)
		digest, sig2, ok2 := signedDigest(doc)
		if ok != ok2 || sig != sig2 {
			t.Fatalf("splitSigned and signedDigest disagree: %v %v", ok, ok2)
		}
		if !ok {
			if digest != sha256.Sum256(doc) {
				t.Fatal("digest of an unsigned document is not its hash")
			}
			return
		}
		if digest != sha256.Sum256(body) {
			t.Fatal("in-place digest differs from the copy's")
		}
		if !bytes.HasSuffix(body, []byte("}\n")) {
			t.Fatalf("body does not end the object: %q", body)
		}
		rebuilt := append(append(bytes.Clone(body[:len(body)-2]), sigMember+sig...), `"}`...)
		if !bytes.Equal(rebuilt, bytes.TrimRight(doc, "\n")) {
			t.Fatalf("document is not body + one signature member:\n%q\n%q", rebuilt, doc)
		}
	})
}
