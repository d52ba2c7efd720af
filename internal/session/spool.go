package session

import (
	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/secure"
)

// StoreRecipients returns the spool recipients of s without the session
// key's own: who can still open the messages queued under the session once
// it is logged off (the store's identity.pub, issue 24 point 9). A
// recipient is recognised as the session's by sealing a probe to it and
// opening the probe with s.Key, so this works for every kind of key. With
// no Key, it returns nil.
func (s *Snapshot) StoreRecipients() []string {
	if s.Key == nil {
		return nil
	}
	var out []string
	for _, r := range s.SpoolRecipients {
		ct, err := secure.Encrypt([]byte("probe"), []string{r})
		if err != nil {
			continue // not a recipient anything can be sealed to
		}
		if _, err := secure.Decrypt(ct, []age.Identity{s.Key}); err == nil {
			continue // the session's own key
		}
		out = append(out, r)
	}
	return out
}

// Identities are what opens what was sealed to the session: its key, and
// the profile identity it carries, if any (never the store's
// identity, so logoff needs neither it nor its passphrase).
func (s *Snapshot) Identities() []age.Identity {
	var ids []age.Identity
	if s.Key != nil {
		ids = append(ids, s.Key)
	}
	if s.Identity != "" {
		if id, err := secure.IdentityFromKey(s.Identity); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
