package secure

// Why this file is hand-written.
//
// What it replaces: age.X25519Identity's parse (age.ParseX25519Identity)
// and Unwrap, for the AGE-SECRET-KEY-1 identities mapictl loads
// (idfile.go, keys.go); age still gives the recipient and does everything
// else.
//
// Why: age's identity calls x/crypto's curve25519.X25519, which goes
// through crypto/ecdh and builds a fresh ecdh.PrivateKey on every call, and
// building one computes its public key: two scalar multiplications to parse
// and two per unwrap where one does. mapictl parses its identity and
// unwraps two files (the profile, then the section's secure range) on every
// `credential get`, its hottest command.
//
// Measured how: BenchmarkX25519Unwrap (x25519_test.go) runs both on the
// same stanza: age 94-102 µs, mapictl 46-55 µs, ~0.15 ms less per
// `credential get` in scripts/bench.sh (docs/performance.md, "Half the
// X25519 work was wasted").
//
// Held to age by: x25519_test.go (same keys parse, same recipient, same
// stanzas open to the same file key, same "not for me" against "malformed"
// errors) and FuzzParseX25519Identity and FuzzX25519Unwrap, which run both
// on every input.
//
// When to delete it: the day age stops paying two scalar multiplications
// per unwrap (age or x/crypto keeping the ecdh key, or age moving to
// crypto/ecdh itself), which BenchmarkX25519Unwrap shows as "age" within a
// few percent of "mapictl". Then delete this file and its test, parse with
// age.ParseX25519Identity in idfile.go and keys.go, and drop nativeFirst
// (age orders its own identities).

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/mapictl/mapictl/internal/mapi"
)

// x25519Identity is an age X25519 identity (AGE-SECRET-KEY-1…) that costs one
// scalar multiplication to parse and one per stanza it unwraps.
//
// age.X25519Identity costs two of each: it calls x/crypto's
// curve25519.X25519, which now builds an ecdh.PrivateKey on every call, and
// building one computes its public key. mapictl parses its identity and
// unwraps two files (the profile, then the section's secure range) on every
// `credential get`, so this halves the commands's largest single CPU cost
// (docs/performance.md). The stanza format, the checks and the errors are
// age's (age-encryption.org/v1, "X25519" recipient stanzas);
// x25519_test.go holds the two implementations to the same answers.
type x25519Identity struct {
	key *ecdh.PrivateKey
	s   string // the secret key as given, for Recipient
}

const (
	x25519Label = "age-encryption.org/v1/X25519"
	fileKeySize = 16
)

// stanzaB64 is age's encoding of stanza arguments: unpadded, canonical.
var stanzaB64 = base64.RawStdEncoding.Strict()

// parseX25519Identity parses an AGE-SECRET-KEY-1… string, accepting exactly
// what age.ParseX25519Identity accepts.
func parseX25519Identity(s string) (*x25519Identity, error) {
	hrp, scalar, err := bech32Decode(s)
	if err != nil {
		return nil, fmt.Errorf("malformed secret key: %v", err)
	}
	if hrp != "AGE-SECRET-KEY-" {
		return nil, fmt.Errorf("malformed secret key: unknown type %q", hrp)
	}
	key, err := ecdh.X25519().NewPrivateKey(scalar)
	if err != nil {
		return nil, errors.New("malformed secret key: invalid X25519 secret key")
	}
	return &x25519Identity{key: key, s: s}, nil
}

// Unwrap returns the file key from the first X25519 stanza this identity
// opens, age.ErrIncorrectIdentity if none, or the error of a malformed
// X25519 stanza (age's rules: one argument, a 32-byte point in canonical
// unpadded base64, a 32-byte body).
func (i *x25519Identity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	return firstFileKey(stanzas, i.unwrap)
}

// firstFileKey returns the file key of the first of items that try opens,
// skipping those it answers age.ErrIncorrectIdentity ("not for this key");
// any other error stops the search, as in age. None: ErrIncorrectIdentity.
func firstFileKey[T any](items []T, try func(T) ([]byte, error)) ([]byte, error) {
	for _, it := range items {
		key, err := try(it)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			continue
		}
		return key, err
	}
	return nil, age.ErrIncorrectIdentity
}

func (i *x25519Identity) unwrap(s *age.Stanza) ([]byte, error) {
	if s.Type != "X25519" {
		return nil, age.ErrIncorrectIdentity
	}
	if len(s.Args) != 1 {
		return nil, errors.New("invalid X25519 recipient block")
	}
	if strings.ContainsAny(s.Args[0], "\n\r") {
		return nil, errors.New("failed to parse X25519 recipient: unexpected newline character")
	}
	share, err := stanzaB64.DecodeString(s.Args[0])
	if err != nil {
		return nil, fmt.Errorf("failed to parse X25519 recipient: %v", err)
	}
	if len(share) != 32 {
		return nil, errors.New("invalid X25519 recipient block")
	}
	peer, err := ecdh.X25519().NewPublicKey(share)
	if err != nil {
		return nil, fmt.Errorf("invalid X25519 recipient: %v", err)
	}
	shared, err := i.key.ECDH(peer) // fails on a low-order point (all-zero secret)
	if err != nil {
		return nil, fmt.Errorf("invalid X25519 recipient: %v", err)
	}
	salt := append(share, i.key.PublicKey().Bytes()...)
	wrapKey, err := hkdf.Key(sha256.New, shared, salt, x25519Label, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.New(wrapKey)
	if err != nil {
		return nil, err
	}
	if len(s.Body) != fileKeySize+aead.Overhead() {
		return nil, errors.New("invalid X25519 recipient block: incorrect file key size")
	}
	fileKey, err := aead.Open(nil, make([]byte, chacha20poly1305.NonceSize), s.Body, nil)
	if err != nil {
		return nil, age.ErrIncorrectIdentity
	}
	return fileKey, nil
}

// recipient is the identity's age1… recipient. It reparses the key with age
// (two scalar multiplications): only commands that encrypt ask for it.
// x25519_test.go checks that age accepts every key parseX25519Identity does;
// should they ever disagree, this is InvalidParameter, not a panic.
func (i *x25519Identity) recipient() (string, error) {
	id, err := age.ParseX25519Identity(i.s)
	if err != nil {
		return "", mapi.Errorf(mapi.InvalidParameter, "malformed X25519 identity")
	}
	return id.Recipient().String(), nil
}

// isNativeIdentity reports the identities age tries before plugin and SSH
// ones: those that never prompt or run a program.
func isNativeIdentity(id age.Identity) bool {
	switch id.(type) {
	case *x25519Identity, *age.X25519Identity, *age.HybridIdentity, *age.ScryptIdentity:
		return true
	}
	return false
}

// nativeFirst orders ids as age.Decrypt would if x25519Identity were age's
// own type: identities that never prompt or run a program first, then the
// others in their order.
func nativeFirst(ids []age.Identity) []age.Identity {
	if len(ids) < 2 {
		return ids
	}
	out := make([]age.Identity, 0, len(ids))
	for _, native := range []bool{true, false} {
		for _, id := range ids {
			if isNativeIdentity(id) == native {
				out = append(out, id)
			}
		}
	}
	return out
}
