package secure

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestOnlyScryptWorkFactor, when non-zero, replaces age's scrypt work factor
// (log2 N) in [MarshalIdentityFile]. Tests set it low; nothing else may.
var TestOnlyScryptWorkFactor int

// KeyPair is an age key: its secret identity and its public recipient.
type KeyPair struct {
	Identity  string // AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…
	Recipient string // age1… or age1pq1…
}

// GenerateKey makes a new X25519 key, or with pq a post-quantum hybrid key.
// Errors: CallFailed if the system's randomness fails.
func GenerateKey(pq bool) (*KeyPair, error) {
	if pq {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			return nil, mapi.Wrap(mapi.CallFailed, err, "cannot generate a key")
		}
		return &KeyPair{Identity: id.String(), Recipient: id.Recipient().String()}, nil
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "cannot generate a key")
	}
	return &KeyPair{Identity: id.String(), Recipient: id.Recipient().String()}, nil
}

// MarshalIdentityFile formats an identity file as age-keygen does:
//
//	# created: 2006-01-02T15:04:05Z
//	# public key: age1…
//	AGE-SECRET-KEY-1…
//
// With a non-empty passphrase the result is that text age-encrypted with
// scrypt, armored (what `age -p -a` makes; LoadIdentities opens it). Errors:
// InvalidParameter when k's identity and recipient do not parse or do not
// belong together.
func MarshalIdentityFile(k *KeyPair, passphrase []byte, now time.Time) ([]byte, error) {
	if k == nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "no key")
	}
	id, err := IdentityFromKey(k.Identity)
	if err != nil {
		return nil, err
	}
	rs, _ := RecipientsOf([]age.Identity{id})
	if len(rs) != 1 || rs[0] != k.Recipient {
		return nil, mapi.Errorf(mapi.InvalidParameter, "the key's recipient does not match its identity")
	}
	text := fmt.Sprintf("# created: %s\n# public key: %s\n%s\n",
		now.Format(time.RFC3339), k.Recipient, k.Identity)
	if len(passphrase) == 0 {
		return []byte(text), nil
	}
	r, err := age.NewScryptRecipient(string(passphrase))
	if err != nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "empty passphrase")
	}
	if TestOnlyScryptWorkFactor != 0 {
		r.SetWorkFactor(TestOnlyScryptWorkFactor)
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	if err := encryptTo(aw, []byte(text), []age.Recipient{r}); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "cannot encrypt the identity file")
	}
	return buf.Bytes(), nil
}

// IdentityFromKey parses one secret key line (session tokens carry one):
// X25519 (AGE-SECRET-KEY-1…) or hybrid (AGE-SECRET-KEY-PQ-1…), surrounding
// space ignored. Errors: InvalidParameter, never echoing the key.
func IdentityFromKey(s string) (age.Identity, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "AGE-SECRET-KEY-PQ-1"):
		id, err := age.ParseHybridIdentity(s)
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "malformed post-quantum secret key")
		}
		return id, nil
	case strings.HasPrefix(s, "AGE-SECRET-KEY-1"):
		id, err := parseX25519Identity(s)
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "malformed secret key")
		}
		return id, nil
	}
	return nil, mapi.Errorf(mapi.InvalidParameter, "not an age secret key")
}
