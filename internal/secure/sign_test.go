package secure

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestSigningKeySignVerify(t *testing.T) {
	k, other := NewSigningKey(), NewSigningKey()
	if k.Public() == other.Public() {
		t.Fatal("two fresh keys are the same")
	}
	if !ValidSigningPublic(k.Public()) {
		t.Fatalf("Public() %q is not a public key in document form", k.Public())
	}
	digest := sha256.Sum256([]byte("document"))
	sig := k.Sign(digest)
	if !VerifySignature(k.Public(), sig, digest) {
		t.Fatal("a signature does not verify under its key")
	}
	if VerifySignature(other.Public(), sig, digest) {
		t.Error("a signature verifies under another key")
	}
	if VerifySignature(k.Public(), sig, sha256.Sum256([]byte("documenT"))) {
		t.Error("a signature verifies for another digest")
	}
	raw, _ := base64.StdEncoding.DecodeString(sig)
	for i := range raw {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x80
		if VerifySignature(k.Public(), base64.StdEncoding.EncodeToString(bad), digest) {
			t.Fatalf("a signature with byte %d changed verifies", i)
		}
	}
	// the context string is part of what is signed: a bare Ed25519
	// signature of the digest is no profile signature
	bare := base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, digest[:]))
	if VerifySignature(k.Public(), bare, digest) {
		t.Error("a signature without the context verifies")
	}
	for name, c := range map[string][2]string{
		"empty key":            {"", sig},
		"short key":            {k.Public()[:20], sig},
		"key not base64":       {"!" + k.Public()[1:], sig},
		"key unpadded":         {strings.TrimRight(k.Public(), "="), sig},
		"empty signature":      {k.Public(), ""},
		"signature truncated":  {k.Public(), base64.StdEncoding.EncodeToString(raw[:63])},
		"signature too long":   {k.Public(), base64.StdEncoding.EncodeToString(append(raw, 0))},
		"signature url-base64": {k.Public(), strings.NewReplacer("+", "-", "/", "_").Replace(sig) + "-"},
	} {
		if VerifySignature(c[0], c[1], digest) {
			t.Errorf("%s: verifies", name)
		}
	}
	if ValidSigningPublic("") || ValidSigningPublic("AAAA") || ValidSigningPublic(sig) {
		t.Error("ValidSigningPublic accepts what is not a public key")
	}
}

func TestSigningKeySeal(t *testing.T) {
	owner, owner2, reader := newKey(t, false), newKey(t, false), newKey(t, false)
	ids := func(k *KeyPair) []age.Identity {
		id, err := IdentityFromKey(k.Identity)
		if err != nil {
			t.Fatal(err)
		}
		return []age.Identity{id}
	}
	k := NewSigningKey()
	sealed, err := k.Seal([]string{owner.Recipient, owner2.Recipient})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, "-----BEGIN AGE ENCRYPTED FILE-----") {
		t.Fatalf("sealed key is not armored: %q", sealed)
	}
	for _, o := range []*KeyPair{owner, owner2} {
		got, err := OpenSigningKey(sealed, ids(o))
		if err != nil {
			t.Fatal(err)
		}
		if got.Public() != k.Public() {
			t.Fatal("the opened key is another key")
		}
		digest := sha256.Sum256([]byte("x"))
		if !VerifySignature(k.Public(), got.Sign(digest), digest) {
			t.Fatal("the opened key does not sign as the sealed one")
		}
	}
	if _, err := OpenSigningKey(sealed, ids(reader)); !mapi.IsCode(err, mapi.NoAccess) {
		t.Errorf("a non-owner opens the key: %v, want MAPI_E_NO_ACCESS", err)
	}
	notSeed, err := EncryptArmored(make([]byte, 31), []string{owner.Recipient})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSigningKey(notSeed, ids(owner)); !mapi.IsCode(err, mapi.CorruptData) {
		t.Errorf("a sealed blob that is no seed: %v, want MAPI_E_CORRUPT_DATA", err)
	}
	if _, err := OpenSigningKey("not armor", ids(owner)); err == nil {
		t.Error("OpenSigningKey of garbage succeeded")
	}
	if _, err := k.Seal(nil); err == nil {
		t.Error("sealed to nobody")
	}
}

func TestFingerprint(t *testing.T) {
	k := NewSigningKey()
	fp := Fingerprint(k.Public())
	raw, _ := base64.StdEncoding.DecodeString(k.Public())
	sum := sha256.Sum256(raw)
	if want := "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:]); fp != want {
		t.Fatalf("Fingerprint = %q, want %q", fp, want)
	}
	if len(fp) != len("SHA256:")+43 || strings.Contains(fp, "=") {
		t.Errorf("Fingerprint %q is not SHA256: and 43 unpadded base64 characters", fp)
	}
	if Fingerprint(NewSigningKey().Public()) == fp {
		t.Error("two keys have one fingerprint")
	}
	for _, bad := range []string{"", "AAAA", "!!", k.Public()[:40]} {
		if got := Fingerprint(bad); got != "" {
			t.Errorf("Fingerprint(%q) = %q, want \"\"", bad, got)
		}
	}
}

// --key takes what Fingerprint prints and nothing else.
func TestValidFingerprint(t *testing.T) {
	fp := Fingerprint(NewSigningKey().Public())
	if !ValidFingerprint(fp) {
		t.Fatalf("ValidFingerprint(%q) = false", fp)
	}
	for _, bad := range []string{"", "garbage", "SHA256:", fp[:len(fp)-1], fp + "A", fp + "=", "sha256:" + fp[7:], "MD5:" + fp[7:]} {
		if ValidFingerprint(bad) {
			t.Errorf("ValidFingerprint(%q) = true", bad)
		}
	}
}

func TestEndorsement(t *testing.T) {
	old, next, other := NewSigningKey(), NewSigningKey(), NewSigningKey()
	const uid = "0123456789abcdef0123456789abcdef"
	sig := old.Endorse(uid, next.Public())
	if !VerifyEndorsement(old.Public(), uid, next.Public(), sig) {
		t.Fatal("an endorsement does not verify")
	}
	for name, c := range map[string][4]string{
		"by another key":      {other.Public(), uid, next.Public(), sig},
		"of another key":      {old.Public(), uid, other.Public(), sig},
		"for another profile": {old.Public(), "0123456789abcdef0123456789abcdee", next.Public(), sig},
		"malformed by":        {"AAAA", uid, next.Public(), sig},
		"malformed signature": {old.Public(), uid, next.Public(), sig[:20]},
	} {
		if VerifyEndorsement(c[0], c[1], c[2], c[3]) {
			t.Errorf("%s: verifies", name)
		}
	}
	// an endorsement is no document signature, and a document signature
	// is no endorsement
	var digest [sha256.Size]byte
	copy(digest[:], uid+"\n"+next.Public())
	if VerifySignature(old.Public(), sig, digest) || VerifySignature(old.Public(), sig, sha256.Sum256([]byte(uid+"\n"+next.Public()))) {
		t.Error("an endorsement verifies as a document signature")
	}
	docSig := old.Sign(sha256.Sum256([]byte(uid + "\n" + next.Public())))
	if VerifyEndorsement(old.Public(), uid, next.Public(), docSig) {
		t.Error("a document signature verifies as an endorsement")
	}
}
