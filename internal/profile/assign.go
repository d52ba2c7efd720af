package profile

import (
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Assignment is one PROP=VALUE setting, parsed against a section.
type Assignment struct {
	Tag   mapi.Tag
	Value any
}

// ParseAssignments parses PROP=VALUE pairs (section create --set, section
// set) against s's scope. It refuses, as MAPI_E_INVALID_PARAMETER, a pair
// without "=", a secure tag (secrets never come from argv: credential set
// stores them), a reserved tag ([IsReserved]) and a value that does not
// parse for its tag's type. A relative smtp.ca-file is made absolute
// against the current directory. Errors quote at most the property name of
// a pair, never its value.
func (s *Section) ParseAssignments(pairs []string) ([]Assignment, error) {
	var out []Assignment
	for _, pair := range pairs {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, mapi.Errorf(mapi.InvalidParameter, "want PROP=VALUE, got %q", clipArg(pair))
		}
		t, err := mapi.ParseTag(k, s.Scope())
		if err != nil {
			return nil, err
		}
		if t.Secure() {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is a secure property and cannot be given on the command line", k).
				WithHint("store credentials with 'mapictl credential set " + textsafe.ShellArg(s.Name) + "' (the secret is read from a prompt or stdin)")
		}
		if IsReserved(t) {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is maintained by mapictl", k)
		}
		val, err := mapi.ParseValue(t, v)
		if err != nil {
			return nil, err
		}
		if val, err = absolutePath(t, val); err != nil {
			return nil, err
		}
		out = append(out, Assignment{t, val})
	}
	return out, nil
}

// absolutePath stores a relative smtp.ca-file, inbound.ca-file or
// inbound.maildir as an absolute path, resolved
// against the current directory when it is set: read later from another
// directory (spool flush from cron), the relative name would name another
// file or none. The binds cover the path, not the file's contents.
func absolutePath(t mapi.Tag, val any) (any, error) {
	p, ok := val.(string)
	if (t != mapi.PrSMTPCAFile && t != mapi.PrInboundCAFile && t != mapi.PrInboundMaildir) || !ok || p == "" || filepath.IsAbs(p) {
		return val, nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, mapi.Wrap(mapi.InvalidParameter, err, "cannot resolve "+mapi.DisplayName(t, mapi.ScopeTransport)+" "+strconv.Quote(p))
	}
	return abs, nil
}

// clipArg shortens an argument quoted in an error; it is never a secret
// (secure tags are refused before values are parsed).
func clipArg(s string) string {
	if k, _, ok := strings.Cut(s, "="); ok {
		return k + "=…"
	}
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Assign sets each assignment on s in order ([Section.SetProp]; the first
// error stops it, leaving the earlier ones set) and returns the bound
// settings ([IsBound]) whose value it changed, as "name: old -> new"
// ("unset" for a setting s did not have), for [Profile.Rebind].
func (s *Section) Assign(as []Assignment) (changed []string, err error) {
	for _, a := range as {
		old, had := s.Props[a.Tag]
		if err := s.SetProp(a.Tag, a.Value); err != nil {
			return nil, err
		}
		if IsBound(a.Tag) && (!had || mapi.FormatValue(a.Tag, old) != mapi.FormatValue(a.Tag, a.Value)) {
			show := "unset"
			if had {
				show = mapi.FormatValue(a.Tag, old)
			}
			changed = append(changed, mapi.DisplayName(a.Tag, s.Scope())+": "+show+" -> "+mapi.FormatValue(a.Tag, a.Value))
		}
	}
	return changed, nil
}

// Unset removes the properties named by keys (parsed against s's scope)
// from s and returns the bound settings it removed, as "name: old ->
// unset", for [Profile.Rebind]. It refuses, as MAPI_E_INVALID_PARAMETER, a
// secure tag (credential delete removes those), a reserved one and
// PR_TRANSPORT, and, as MAPI_E_NOT_FOUND, a property s does not have; the
// first error stops it, leaving the earlier ones removed.
func (s *Section) Unset(keys []string) (changed []string, err error) {
	for _, k := range keys {
		t, err := mapi.ParseTag(k, s.Scope())
		if err != nil {
			return nil, err
		}
		if t.Secure() {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is a secure property", k).
				WithHint("use 'mapictl credential delete " + textsafe.ShellArg(s.Name) + " --field " + k + "'")
		}
		if IsReserved(t) || t == mapi.PrTransport {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is maintained by mapictl", k)
		}
		if _, ok := s.Props[t]; !ok {
			return nil, mapi.Errorf(mapi.NotFound, "section %q has no property %s", s.Name, k)
		}
		if IsBound(t) {
			changed = append(changed, mapi.DisplayName(t, s.Scope())+": "+mapi.FormatValue(t, s.Props[t])+" -> unset")
		}
		delete(s.Props, t)
	}
	return changed, nil
}

// Rebind re-binds s's secure range to its current settings after an
// owner's own change of the bound settings named in changed ([Profile.Reseal]
// with rebind, opened with ids), and tells warnf, a line for each change,
// that it did. It does nothing when s has no range or nothing bound
// changed; a range whose binds did not match before is then left as it
// is, for profile accept to review.
func (p *Profile) Rebind(s *Section, ids []age.Identity, changed []string, warnf func(format string, a ...any)) error {
	if s.Secure == nil || len(changed) == 0 {
		return nil
	}
	if err := p.Reseal(s, ids, true); err != nil {
		return err
	}
	for _, c := range changed {
		warnf("credentials of section %q re-bound: %s", s.Name, c)
	}
	return nil
}
