package main

// Typed JSON output of the section and prop commands (docs/json.md), fields
// in the sorted order encoding/json gave the map literals they replace.

import (
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// sectionOutJSON is a section as section create, list, set, unset,
// default, order and delete print it. Ordinal is null for the global
// section.
type sectionOutJSON struct {
	DefaultOutbound bool   `json:"default_outbound"`
	Email           string `json:"email"`
	Kind            string `json:"kind"`
	Name            string `json:"name"`
	Ordinal         *int32 `json:"ordinal"`
	Transport       string `json:"transport"`
	UID             string `json:"uid"`
}

// sectionJSON is s as the section commands print it.
func sectionJSON(s *profile.Section) sectionOutJSON {
	var ord *int32
	if s.Kind == profile.KindTransport {
		o := s.Ordinal()
		ord = &o
	}
	return sectionOutJSON{Name: s.Name, UID: s.UID, Kind: s.Kind, Transport: s.Transport(),
		Email: s.String(mapi.PrEmailAddress), Ordinal: ord, DefaultOutbound: s.DefaultOutbound()}
}

// sectionPropJSON is one property of `section open`.
type sectionPropJSON struct {
	Name   string `json:"name"`
	Secure bool   `json:"secure"`
	Tag    string `json:"tag"`
	Type   string `json:"type"`
	Value  any    `json:"value"` // mapi.JSONValue: its type follows the tag's
}

// sectionShareJSON is `section share` and `section unshare`.
type sectionShareJSON struct {
	Changed   bool     `json:"changed"`
	Readers   []string `json:"readers"`
	Recipient string   `json:"recipient"`
	Section   string   `json:"section"`
}

// propJSON is one row of `prop list`; Meaning only for an alias.
type propJSON struct {
	Alias   string  `json:"alias"`
	Meaning *string `json:"meaning,omitempty"`
	Name    string  `json:"name"`
	Secure  bool    `json:"secure"`
	Tag     string  `json:"tag"`
	Type    string  `json:"type"`
}
