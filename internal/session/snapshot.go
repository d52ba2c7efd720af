package session

import (
	"slices"
	"time"

	"filippo.io/age"
)

// Snapshot is the decrypted content of sessions/ID.age: everything commands
// under a session need, so they need neither the profile identity nor its
// passphrase (SPEC §7).
type Snapshot struct {
	ID       string            `json:"id"`
	Profile  string            `json:"profile"`
	Created  time.Time         `json:"created"`
	Expires  time.Time         `json:"expires"`
	Sections []SectionSnapshot `json:"sections"`
	// SpoolRecipients are the recipients queued messages are sealed to
	// (the store's identity.pub, and the session's own key's recipient).
	SpoolRecipients []string `json:"spool_recipients"`
	// Identity is the profile identity text carried for flushing messages
	// queued under this session (may be empty).
	Identity string `json:"identity,omitempty"`
	// ProfileUID is the profile's uid (it keys the inbound journals, so a
	// fetch under a session finds what one without it delivered); "" in a
	// session logged on before it was kept.
	ProfileUID string `json:"profile_uid,omitempty"`

	// Key is the session token's age identity (not serialized); it opens
	// the session file and messages queued under the session.
	Key age.Identity `json:"-"`
}

// SectionSnapshot is one logged-on transport section.
type SectionSnapshot struct {
	Settings    Settings    `json:"settings"`
	Credentials Credentials `json:"credentials"`
	// Address is the identity this session sends as on the section (the
	// section's email, or --as); Name its display name.
	Address string `json:"address"`
	Name    string `json:"name,omitempty"`
	// Ordinal and DefaultOutbound copy the profile's transport order.
	Ordinal         int  `json:"ordinal"`
	DefaultOutbound bool `json:"default_outbound"`
}

// Section returns the logged-on section with that name or uid, or nil.
func (s *Snapshot) Section(nameOrUID string) *SectionSnapshot {
	for i := range s.Sections {
		if s.Sections[i].Settings.Section == nameOrUID || s.Sections[i].Settings.SectionUID == nameOrUID {
			return &s.Sections[i]
		}
	}
	return nil
}

// Default returns the section message send uses without --transport: the
// default outbound one, else the first in transport order; a section with
// transport none (inbound only) is passed over.
func (s *Snapshot) Default() *SectionSnapshot {
	var best *SectionSnapshot
	for i := range s.Sections {
		sec := &s.Sections[i]
		if sec.Settings.Transport == "none" {
			continue
		}
		if sec.DefaultOutbound {
			return sec
		}
		if best == nil || sec.Ordinal < best.Ordinal {
			best = sec
		}
	}
	return best
}

// NewSnapshot assembles the snapshot of a logon made at now for ttl.
func NewSnapshot(profileName string, secs []SectionSnapshot, spoolRecipients []string, now time.Time, ttl time.Duration) *Snapshot {
	return &Snapshot{Profile: profileName, Created: now.UTC().Truncate(time.Second), Expires: now.Add(ttl).UTC().Truncate(time.Second),
		Sections: secs, SpoolRecipients: slices.Clone(spoolRecipients)}
}
