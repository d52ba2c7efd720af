package mapi

import "strings"

// Scope says which names a property may go by in a section: mapictl's
// aliases of the provider range (0x6600–0x67FF) apply only in mapictl's own
// transport sections (SPEC §6).
type Scope int

const (
	// ScopeTransport is a mapictl transport section: every alias applies.
	ScopeTransport Scope = iota
	// ScopeOther is any other section: only aliases outside 0x6600–0x67FF.
	ScopeOther
)

// ParseTag resolves a property as the command line gives it: a hex tag
// ("0x3003001F"), a MAPI name ("PR_EMAIL_ADDRESS_W", "PR_EMAIL_ADDRESS") or
// an alias ("email"). Errors are *Error with MAPI_E_INVALID_PARAMETER.
func ParseTag(s string, scope Scope) (Tag, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, Errorf(InvalidParameter, "empty property name")
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		return ParseHexTag(s)
	case strings.HasPrefix(strings.ToUpper(s), "PR_"):
		if t, ok := LookupName(s); ok {
			return t, nil
		}
		return 0, Errorf(InvalidParameter, "unknown property name %q", clip(s)).
			WithHint("run 'mapictl prop list' for the names mapictl knows, or give a hex tag such as 0x3001001F")
	}
	for _, a := range Aliases {
		if strings.EqualFold(a.Name, s) {
			if scope != ScopeTransport && a.Tag.ProviderPrivate() {
				return 0, Errorf(InvalidParameter, "alias %q applies only to mapictl transport sections", a.Name).
					WithHint("give the property as a hex tag, e.g. " + a.Tag.String())
			}
			return a.Tag, nil
		}
	}
	return 0, Errorf(InvalidParameter, "unknown property %q", clip(s)).
		WithHint("run 'mapictl prop list' for the names mapictl knows, or give a hex tag such as 0x3001001F")
}

// DisplayName is how t is shown in a section of the given scope: its alias,
// else its MAPI name, else its hex form.
func DisplayName(t Tag, scope Scope) string {
	if a := AliasOf(t); a != "" && (scope == ScopeTransport || !t.ProviderPrivate()) {
		return a
	}
	if n := NameOf(t); n != "" {
		return n
	}
	return t.String()
}
