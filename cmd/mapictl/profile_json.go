package main

// Typed JSON output of the profile commands (docs/json.md). Fields are
// declared in the order of their JSON names, sorted: the order the map
// literals they replace were printed in (encoding/json sorts map keys),
// so the output is byte for byte what it was.

import (
	"github.com/mapictl/mapictl/internal/manifest"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

// profileCreateJSON is `profile create NAME`.
type profileCreateJSON struct {
	Default         bool     `json:"default"`
	IdentityCreated bool     `json:"identity_created"`
	KeyFingerprint  string   `json:"key_fingerprint"`
	Name            string   `json:"name"`
	Owners          []string `json:"owners"`
	Path            string   `json:"path"`
	Recipients      []string `json:"recipients"`
	UID             string   `json:"uid"`
}

// profileListJSON is one element of `profile list`.
type profileListJSON struct {
	Default bool   `json:"default"`
	Name    string `json:"name"`
	Path    string `json:"path"`
}

// profileShowJSON is `profile show NAME`.
type profileShowJSON struct {
	KeyFingerprint    string               `json:"key_fingerprint"`
	Name              string               `json:"name"`
	Owners            []string             `json:"owners"`
	Recipients        []string             `json:"recipients"`
	Sections          []profileSectionJSON `json:"sections"`
	UID               string               `json:"uid"`
	UnconfirmedReason string               `json:"unconfirmed_reason"`
	Verified          bool                 `json:"verified"`
	Version           int64                `json:"version"`
}

// profileSectionJSON is one of profileShowJSON's sections.
type profileSectionJSON struct {
	DisplayName string             `json:"display_name"`
	Email       string             `json:"email"`
	Inbound     *string            `json:"inbound"` // "imap", "pop3"; null: no inbound side
	Kind        string             `json:"kind"`
	Name        string             `json:"name"`
	Readers     []string           `json:"readers"`
	Secure      *profileSecureJSON `json:"secure"` // null: no credentials
	Transport   string             `json:"transport"`
	UID         string             `json:"uid"`
}

// profileSecureJSON is a section's secure range as its header records it.
type profileSecureJSON struct {
	Recipients []string `json:"recipients"`
	Tags       []string `json:"tags"`
}

// profileJSON is p as `profile show` prints it.
func profileJSON(p *profile.Profile) profileShowJSON {
	secs := []profileSectionJSON{}
	for _, s := range p.Sections {
		var sec *profileSecureJSON
		if s.Secure != nil {
			sec = &profileSecureJSON{Recipients: s.Secure.Recipients, Tags: s.Secure.Tags}
		}
		var inbound *string
		if in := s.Inbound(); in != "" {
			inbound = &in
		}
		secs = append(secs, profileSectionJSON{
			Name: s.Name, UID: s.UID, Kind: s.Kind, Transport: s.Transport(), Inbound: inbound,
			Email: s.String(mapi.PrEmailAddress), DisplayName: s.String(mapi.PrDisplayName), Secure: sec,
			Readers: nonNilStrings(s.Readers),
		})
	}
	out := profileShowJSON{Name: p.Name, UID: p.UID, Version: p.Version, Owners: nonNilStrings(p.Owners),
		Recipients: p.Recipients, Sections: secs, KeyFingerprint: p.KeyFingerprint()}
	if p.Trust != nil {
		out.Verified, out.UnconfirmedReason = p.Trust.Verified, p.Trust.Reason
	}
	return out
}

// profileDefaultJSON is `profile default` (Default omitted) and `profile
// default NAME`.
type profileDefaultJSON struct {
	Default bool   `json:"default,omitempty"`
	Name    string `json:"name"`
}

// profileCopyJSON is `profile copy SRC DST`.
type profileCopyJSON struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	UID    string `json:"uid"`
}

// profileRenameJSON is `profile rename OLD NEW`.
type profileRenameJSON struct {
	Name    string `json:"name"`
	OldName string `json:"old_name"`
	UID     string `json:"uid"`
}

// profileDeleteJSON is `profile delete NAME`.
type profileDeleteJSON struct {
	Deleted bool   `json:"deleted"`
	Name    string `json:"name"`
}

// profileOwnersJSON is `profile owners NAME`; Changed and Resealed only
// after add or remove.
type profileOwnersJSON struct {
	Changed    *bool                `json:"changed,omitempty"`
	Name       string               `json:"name"`
	Owners     []string             `json:"owners"`
	Recipients []string             `json:"recipients"`
	Resealed   *[]string            `json:"resealed,omitempty"`
	Sections   []sectionReadersJSON `json:"sections"`
}

// sectionReadersJSON is a section shared with readers besides the owners.
type sectionReadersJSON struct {
	Readers []string `json:"readers"`
	Section string   `json:"section"`
}

// profileAddJSON is `profile add FILE`.
type profileAddJSON struct {
	KeyFingerprint    string `json:"key_fingerprint"`
	Name              string `json:"name"`
	Path              string `json:"path"`
	Result            string `json:"result"` // added, updated, unchanged or restored
	UID               string `json:"uid"`
	UnconfirmedReason string `json:"unconfirmed_reason"`
	Verified          bool   `json:"verified"`
	Version           int64  `json:"version"`
}

// profileReviewJSON is `profile accept NAME`.
type profileReviewJSON struct {
	Accepted          bool     `json:"accepted"`
	Changes           []string `json:"changes"`
	Dropped           []string `json:"dropped"`
	Grants            []string `json:"grants"`
	KeyFingerprint    string   `json:"key_fingerprint"`
	KeyReplaced       bool     `json:"key_replaced"`
	KeyRotated        bool     `json:"key_rotated"`
	Name              string   `json:"name"`
	Owner             bool     `json:"owner"`
	PinnedFingerprint string   `json:"pinned_fingerprint"`
	UID               string   `json:"uid"`
	UnconfirmedReason string   `json:"unconfirmed_reason"`
	Version           int64    `json:"version"`
}

// reviewJSON is r as `profile accept` prints it.
func reviewJSON(r *profile.Review, accepted bool) profileReviewJSON {
	return profileReviewJSON{Name: r.Profile.Name, UID: r.Profile.UID, Version: r.Profile.Version,
		Accepted: accepted, UnconfirmedReason: r.Profile.Trust.Reason,
		KeyFingerprint: r.Fingerprint, PinnedFingerprint: r.PinnedFingerprint,
		KeyReplaced: r.KeyReplaced, KeyRotated: r.Rotated, Owner: r.Owner, Changes: nonNilStrings(r.Changes),
		Grants: nonNilStrings(r.Grants), Dropped: nonNilStrings(r.Dropped)}
}

// profileApplyJSON is `profile apply -f FILE`.
type profileApplyJSON struct {
	Changed  bool              `json:"changed"`
	Changes  []manifest.Change `json:"changes"`
	Create   bool              `json:"create"`
	DryRun   bool              `json:"dry_run"`
	Profile  string            `json:"profile"`
	Warnings []string          `json:"warnings"`
}

// profileImportJSON is `profile import --prf FILE`.
type profileImportJSON struct {
	Accounts []manifest.ImportedAccount `json:"accounts"`
	Changed  bool                       `json:"changed"`
	Default  bool                       `json:"default"`
	Expanded []prf.Expansion            `json:"expanded"`
	Mode     string                     `json:"mode"`
	Profile  string                     `json:"profile"`
	Services []manifest.ImportedService `json:"services"`
	// Unexpanded are the %NAME% placeholders left as written (no such
	// variable, or one not allowed): the warnings of a text run.
	Unexpanded []prf.Expansion `json:"unexpanded"`
}

// profileRekeyJSON is `profile rekey NAME`.
type profileRekeyJSON struct {
	KeyFingerprint string   `json:"key_fingerprint"`
	Name           string   `json:"name"`
	Resealed       []string `json:"resealed"`
	Skipped        []string `json:"skipped"`
}
