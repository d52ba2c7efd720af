package secure

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// A profile's signing key (SPEC §5) is an Ed25519 key pair. Its public half
// is pinned by every store that accepted the profile; its private half (the
// 32-byte seed) travels in the profile sealed to the profile's owners, so
// only an owner can sign a new version. age authenticates no writer; this
// signature is what tells an owner's write from anyone else's.

// sigContext separates profile signatures from any other use of the key.
const sigContext = "mapictl.profile.sig/1\n"

// SigningKey is a profile's Ed25519 private key.
type SigningKey struct{ priv ed25519.PrivateKey }

// NewSigningKey returns a fresh random signing key.
func NewSigningKey() *SigningKey {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &SigningKey{priv: priv}
}

// Public returns the public half in its document form (standard base64 of
// the 32-byte key).
func (k *SigningKey) Public() string {
	return base64.StdEncoding.EncodeToString(k.priv.Public().(ed25519.PublicKey))
}

// Sign signs the SHA-256 digest of a document's signed bytes and returns
// the signature in base64.
func (k *SigningKey) Sign(digest [sha256.Size]byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, signedMessage(digest)))
}

// Seal returns the key's seed encrypted (armored) to owners.
func (k *SigningKey) Seal(owners []string) (string, error) {
	return EncryptArmored(k.priv.Seed(), owners)
}

// OpenSigningKey decrypts a sealed signing key with ids. Errors: NoAccess
// when no identity opens it (the caller is no owner), CorruptData when it
// is not a seed.
func OpenSigningKey(armored string, ids []age.Identity) (*SigningKey, error) {
	seed, err := DecryptArmored(armored, ids)
	if err != nil {
		if nm := new(age.NoIdentityMatchError); errors.As(err, &nm) || mapi.IsCode(err, mapi.NoAccess) {
			return nil, mapi.Errorf(mapi.NoAccess, "no identity can open the profile's signing key")
		}
		return nil, err
	}
	defer clear(seed)
	if len(seed) != ed25519.SeedSize {
		return nil, mapi.Errorf(mapi.CorruptData, "the profile's sealed signing key is malformed")
	}
	return &SigningKey{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// VerifySignature reports whether sig (base64) is pub's (base64) signature
// of digest. Malformed inputs verify false.
func VerifySignature(pub, sig string, digest [sha256.Size]byte) bool {
	return verify(pub, sig, signedMessage(digest))
}

// verify reports whether sig (base64) is pub's (base64) Ed25519 signature
// of msg; malformed inputs verify false.
func verify(pub, sig string, msg []byte) bool {
	p, ok := decodePublic(pub)
	if !ok {
		return false
	}
	s, err := base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil || len(s) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(p, msg, s)
}

// decodePublic decodes a public key in document form.
func decodePublic(pub string) (ed25519.PublicKey, bool) {
	p, err := base64.StdEncoding.Strict().DecodeString(pub)
	return ed25519.PublicKey(p), err == nil && len(p) == ed25519.PublicKeySize
}

// ValidSigningPublic reports whether pub is a public key in document form.
func ValidSigningPublic(pub string) bool {
	_, ok := decodePublic(pub)
	return ok
}

// Fingerprint is how a signing key is shown and given to --key:
// "SHA256:" and the unpadded base64 of the SHA-256 of the raw public key,
// as ssh-keygen -l prints host keys. "" for a malformed key.
func Fingerprint(pub string) string {
	p, ok := decodePublic(pub)
	if !ok {
		return ""
	}
	sum := sha256.Sum256(p)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// ValidFingerprint reports whether fp has the form Fingerprint gives:
// "SHA256:" and the unpadded base64 of 32 bytes.
func ValidFingerprint(fp string) bool {
	b64, ok := strings.CutPrefix(fp, "SHA256:")
	if !ok {
		return false
	}
	sum, err := base64.RawStdEncoding.Strict().DecodeString(b64)
	return err == nil && len(sum) == sha256.Size
}

// rotateContext separates rotation endorsements from document signatures.
const rotateContext = "mapictl.profile.rotate/1\n"

// Endorse signs, with the outgoing key k, that newPub succeeds it as the
// signing key of profile uid: how other stores tell an owner's rotation
// from a key someone else made up.
func (k *SigningKey) Endorse(uid, newPub string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, []byte(rotateContext+uid+"\n"+newPub)))
}

// VerifyEndorsement reports whether sig is oldPub's endorsement of newPub
// for profile uid.
func VerifyEndorsement(oldPub, uid, newPub, sig string) bool {
	return verify(oldPub, sig, []byte(rotateContext+uid+"\n"+newPub))
}

func signedMessage(digest [sha256.Size]byte) []byte {
	return append([]byte(sigContext), digest[:]...)
}
