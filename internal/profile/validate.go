package profile

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mapictl/mapictl/internal/mapi"
)

// CheckName validates a profile or section name (SPEC §3): 1 to 64
// characters of Unicode letters, digits, '_', '-', '.' and inner spaces; no
// leading dot or space. Errors are MAPI_E_INVALID_PARAMETER.
func CheckName(kind, name string) error {
	if asciiName(name) {
		return nil // the common case, without the rune loop below
	}
	bad := func(why string) error {
		return mapi.Errorf(mapi.InvalidParameter, "invalid %s name %q: %s", kind, clip(name), why).
			WithHint("names are 1 to 64 letters, digits, '_', '-', '.' and inner spaces")
	}
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case n == 0:
		return bad("empty")
	case n > 64:
		return bad("longer than 64 characters")
	case strings.HasPrefix(name, "."):
		return bad("starts with a dot")
	case strings.HasPrefix(name, " ") || strings.HasSuffix(name, " "):
		return bad("leading or trailing space")
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || r == ' ') {
			return bad(fmt.Sprintf("character %q is not allowed", r))
		}
	}
	return nil
}

// asciiName reports whether name is a valid name of 1 to 64 ASCII letters,
// digits, '_', '-', '.' and inner spaces, not starting with a dot.
func asciiName[T string | []byte](name T) bool {
	if len(name) == 0 || len(name) > 64 || name[0] == '.' || name[0] == ' ' || name[len(name)-1] == ' ' {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' || c == ' ') {
			return false
		}
	}
	return true
}

// validUID reports whether s is a MAPIUID as written: 32 lower-case hex
// digits.
func validUID[T string | []byte](s T) bool {
	if len(s) != 32 {
		return false
	}
	var bad uint8 // no branch per byte: digits and letters mispredict
	for i := range len(s) {
		bad |= notHex[s[i]]
	}
	return bad == 0
}

// notHex is 1 for every byte that is not a lower-case hex digit.
var notHex = func() (t [256]uint8) {
	for c := range t {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			t[c] = 1
		}
	}
	return t
}()

// Validate checks the invariants of a decoded profile: names, uids, kinds,
// exactly one global section, unique section names, no secure tag in props,
// and that the profile's recipients include every section's.
func (p *Profile) Validate() error { return p.validate("") }

// validate is Validate; when only is not "", the checks of a section's props
// and secure range are made on section only (the others were not decoded).
func (p *Profile) validate(only string) error {
	if err := p.validateHeader(); err != nil {
		return err
	}
	globals := 0
	seen := make(map[string]bool, len(p.Sections))
	for _, s := range p.Sections {
		if err := CheckName("section", s.Name); err != nil {
			return err
		}
		if seen[s.Name] {
			return fmt.Errorf("duplicate section %q", s.Name)
		}
		seen[s.Name] = true
		if !validUID(s.UID) {
			return fmt.Errorf("section %q: malformed uid", s.Name)
		}
		if !slices.Contains(Kinds, s.Kind) {
			return fmt.Errorf("section %q: unknown kind %q", s.Name, clip(s.Kind))
		}
		if s.Kind == KindGlobal {
			globals++
		}
		if only != "" && s.Name != only {
			continue
		}
		if err := p.validateBody(s); err != nil {
			return err
		}
	}
	if globals != 1 {
		return fmt.Errorf("want exactly one global section, found %d", globals)
	}
	return nil
}

// validateHeader checks the profile's own name, uid and recipients.
func (p *Profile) validateHeader() error {
	if err := CheckName("profile", p.Name); err != nil {
		return err
	}
	if !validUID(p.UID) {
		return fmt.Errorf("malformed profile uid")
	}
	if len(p.Recipients) == 0 {
		return fmt.Errorf("profile has no recipients")
	}
	return nil
}

// validateBody checks the props and secure range of section s of p.
func (p *Profile) validateBody(s *Section) error {
	for t := range s.Props {
		if t.Secure() {
			return fmt.Errorf("section %q: secure tag %s outside the secure range", s.Name, t)
		}
	}
	if s.Secure != nil {
		if len(s.Secure.Recipients) == 0 || len(s.Secure.age) <= len(`""`) {
			return fmt.Errorf("section %q: empty secure range", s.Name)
		}
		for _, r := range s.Secure.Recipients {
			if !slices.Contains(p.Recipients, r) {
				return fmt.Errorf("section %q: recipient of its secure range is not a profile recipient", s.Name)
			}
		}
	}
	return nil
}
