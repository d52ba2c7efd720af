package main

// Typed JSON output of the credential commands (docs/json.md), fields in
// the sorted order encoding/json gave the map literals they replace. None
// but credential get's carries a secret.

import "github.com/mapictl/mapictl/internal/profile"

// credentialEntryJSON is one section's entry of credential list, and what
// credential set and delete print: which secure properties it holds and to
// whom they are sealed, never a value.
type credentialEntryJSON struct {
	Recipients []string `json:"recipients"`
	Section    string   `json:"section"`
	Tags       []string `json:"tags"`
}

// credentialEntry is s's entry; empty lists for a section without a range.
func credentialEntry(s *profile.Section) credentialEntryJSON {
	e := credentialEntryJSON{Section: s.Name, Tags: []string{}, Recipients: []string{}}
	if s.Secure != nil {
		e.Tags, e.Recipients = nonNilStrings(s.Secure.Tags), nonNilStrings(s.Secure.Recipients)
	}
	return e
}

// credentialGetJSON is credential get without --field.
type credentialGetJSON struct {
	Password any    `json:"password"` // mapi.JSONValue of the password
	Section  string `json:"section"`
	Username string `json:"username"`
}

// credentialFieldJSON is credential get --field.
type credentialFieldJSON struct {
	Field   string `json:"field"`
	Section string `json:"section"`
	Value   any    `json:"value"` // mapi.JSONValue: its type follows the tag's
}
