package secure

import (
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/plugin"
	"filippo.io/age/tag"
	"golang.org/x/crypto/ssh"

	"github.com/mapictl/mapictl/internal/mapi"
)

// ParseRecipient parses one recipient: age1… (X25519), age1pq1… (hybrid),
// age1tag1…/age1tagpq1…, plugin recipients age1NAME1… (run through
// age-plugin-NAME when used), ssh-ed25519 and ssh-rsa public keys. Leading and
// trailing space is ignored. Errors are InvalidParameter and never echo the
// input; an age identity given as a recipient gets "that is an identity, not
// a recipient".
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	if strings.HasPrefix(up, "AGE1") && s == up {
		s = strings.ToLower(s) // bech32 may be all upper case
	}
	switch {
	case strings.HasPrefix(up, "AGE-SECRET-KEY-") || strings.HasPrefix(up, "AGE-PLUGIN-"):
		return nil, mapi.Errorf(mapi.InvalidParameter, "that is an identity, not a recipient")
	case strings.HasPrefix(s, "-----BEGIN"):
		return nil, mapi.Errorf(mapi.InvalidParameter, "that is a private key, not a recipient")
	case strings.HasPrefix(s, "age1tag1") || strings.HasPrefix(s, "age1tagpq1"):
		r, err := tag.ParseRecipient(s)
		return recipientOrError(r, err, "tag")
	case strings.HasPrefix(s, "age1pq1"):
		r, err := age.ParseHybridRecipient(s)
		return recipientOrError(r, err, "post-quantum")
	case strings.HasPrefix(s, "age1") && strings.Count(s, "1") > 1:
		r, err := plugin.NewRecipient(s, pluginUI())
		return recipientOrError(r, err, "plugin")
	case strings.HasPrefix(s, "age1"):
		r, err := age.ParseX25519Recipient(s)
		return recipientOrError(r, err, "X25519")
	case strings.HasPrefix(s, "ssh-"):
		r, err := agessh.ParseRecipient(s)
		if err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "malformed or unsupported SSH recipient")
		}
		return r, nil
	case s == "":
		return nil, mapi.Errorf(mapi.InvalidParameter, "empty recipient")
	}
	return nil, mapi.Errorf(mapi.InvalidParameter, "unknown recipient type (want age1… or an SSH public key)")
}

// SecretKind says what secret s is when it is a private key rather than
// a recipient ("an age secret key (AGE-SECRET-KEY-…)", "an age plugin
// identity (AGE-PLUGIN-…)", "a private key (-----BEGIN …)"), and "" for
// anything else: a caller that names a refused recipient by its value
// must not print one of these.
func SecretKind(s string) string {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	switch {
	case strings.HasPrefix(up, "AGE-SECRET-KEY-"):
		return "an age secret key (AGE-SECRET-KEY-…)"
	case strings.HasPrefix(up, "AGE-PLUGIN-"):
		return "an age plugin identity (AGE-PLUGIN-…)"
	case strings.HasPrefix(s, "-----BEGIN") || strings.Contains(up, "PRIVATE KEY"):
		return "a private key (-----BEGIN …)"
	}
	return ""
}

// recipientOrError returns r, or an InvalidParameter error naming the kind
// (never the input) when err is set.
func recipientOrError[R age.Recipient](r R, err error, kind string) (age.Recipient, error) {
	if err != nil {
		return nil, mapi.Errorf(mapi.InvalidParameter, "malformed %s recipient", kind)
	}
	return r, nil
}

// NormalizeRecipient trims s, checks it with [ParseRecipient] and returns its
// canonical text: for SSH keys "type base64" without the comment, for age
// recipients their lower-case encoding. Errors as ParseRecipient.
func NormalizeRecipient(s string) (string, error) {
	s = strings.TrimSpace(s)
	if _, err := ParseRecipient(s); err != nil {
		return "", err
	}
	if strings.HasPrefix(s, "ssh-") {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
		if err != nil {
			return "", mapi.Errorf(mapi.InvalidParameter, "malformed SSH recipient")
		}
		return authorizedKey(pub), nil
	}
	return strings.ToLower(s), nil
}

// IsPQ reports whether an identity string (AGE-SECRET-KEY-PQ-1…) or a
// recipient string (age1pq1…, age1tagpq1…) is post-quantum.
func IsPQ(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "age-secret-key-pq-1") || strings.HasPrefix(s, "age1pq1") ||
		strings.HasPrefix(s, "age1tagpq1")
}

// CheckMix fails (InvalidParameter) when rs mixes post-quantum and classic
// recipients, which age cannot encrypt to at once. The message names one of
// each (recipients are public).
func CheckMix(rs []string) error {
	var pq, classic string
	for _, r := range rs {
		if IsPQ(r) {
			if pq == "" {
				pq = strings.TrimSpace(r)
			}
		} else if classic == "" {
			classic = strings.TrimSpace(r)
		}
	}
	if pq != "" && classic != "" {
		return mapi.Errorf(mapi.InvalidParameter,
			"age cannot encrypt to post-quantum and classic recipients at once: %s is post-quantum, %s is not",
			short(pq), short(classic)).
			WithHint("use only post-quantum (age1pq1…) or only classic recipients for one file")
	}
	return nil
}

// short abbreviates a long recipient for messages.
func short(r string) string {
	if len(r) <= 24 {
		return r
	}
	return r[:20] + "…"
}

// RecipientsOf returns the recipient strings of the identities that can tell
// (X25519, hybrid, SSH keys, and passphrase-encrypted identity files, which
// this unlocks), without duplicates, in order. Plugin identities are skipped.
// Errors: those of unlocking an encrypted identity file.
func RecipientsOf(ids []age.Identity) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, id := range ids {
		switch id := id.(type) {
		case *age.X25519Identity:
			add(id.Recipient().String())
		case *x25519Identity:
			r, err := id.recipient()
			if err != nil {
				return nil, err
			}
			add(r)
		case *age.HybridIdentity:
			add(id.Recipient().String())
		case *sshIdentity:
			add(id.recipient)
		case *encryptedSSH:
			add(id.recipient)
		case *encryptedIdentity:
			rs, err := id.recipientStrings()
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				add(r)
			}
		}
	}
	return out, nil
}
