package secure

import (
	"encoding/json"
	"testing"

	"filippo.io/age"
)

// BenchmarkOpenRange decrypts and decodes one armored secure range sealed to
// one X25519 recipient: the per-section cost of reading credentials.
func BenchmarkOpenRange(b *testing.B) {
	k := newKey(b, false)
	id, err := IdentityFromKey(k.Identity)
	if err != nil {
		b.Fatal(err)
	}
	r := &Range{Props: map[string]json.RawMessage{
		"0x67F0001F": json.RawMessage(`"user@example.com"`),
		"0x67F1001F": json.RawMessage(`"s3cret"`),
	}, Recipients: []string{k.Recipient}, Binds: "sha256:0123"}
	armored, err := SealRange(r, []string{k.Recipient})
	if err != nil {
		b.Fatal(err)
	}
	ids := []age.Identity{id}
	b.SetBytes(int64(len(armored)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := OpenRange(armored, ids)
		if err != nil {
			b.Fatal(err)
		}
		if string(got.Props["0x67F1001F"]) != `"s3cret"` {
			b.Fatalf("password = %s", got.Props["0x67F1001F"])
		}
	}
}

// BenchmarkDecrypt decrypts a 4 KiB binary age file (the outer layer of a
// small profile) with one X25519 identity.
func BenchmarkDecrypt(b *testing.B) {
	k := newKey(b, false)
	id, err := IdentityFromKey(k.Identity)
	if err != nil {
		b.Fatal(err)
	}
	plain := make([]byte, 4096)
	ct, err := Encrypt(plain, []string{k.Recipient})
	if err != nil {
		b.Fatal(err)
	}
	ids := []age.Identity{id}
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		got, err := Decrypt(ct, ids)
		if err != nil || len(got) != len(plain) {
			b.Fatalf("decrypt: %d bytes, %v", len(got), err)
		}
	}
}
