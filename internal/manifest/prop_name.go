package manifest

import "github.com/mapictl/mapictl/internal/mapi"

// PropName is the name `section open` shows for t in a section of scope
// whose PRF names ([PRFNames]) are prfNames: "prf-names" for [PrPRFNames]
// itself; mapictl's alias or the MAPI name when t has one; else the name
// the PRF mapping gave the tag when the section was imported; else the tag.
func PropName(t mapi.Tag, scope mapi.Scope, prfNames map[mapi.Tag]string) string {
	if t == PrPRFNames {
		return "prf-names"
	}
	name := mapi.DisplayName(t, scope)
	if n, ok := prfNames[t]; ok && name == t.String() {
		return n
	}
	return name
}
