package main

import (
	"path/filepath"
	"strconv"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

func newSectionCmd(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "section",
		Short: "Manage a profile's sections (message services and providers)",
		Example: `  mapictl section create work --transport smtp --set smtp.host=smtp.corp.example --set email=dana@corp.example
  mapictl section list
  mapictl section open work --prop smtp.host`,
	}
	cmd.AddCommand(newSectionCreateCmd(f), newSectionListCmd(f), newSectionOpenCmd(f),
		newSectionSetCmd(f), newSectionUnsetCmd(f), newSectionDeleteCmd(f),
		newSectionDefaultCmd(f), newSectionOrderCmd(f),
		newSectionShareCmd(f, false), newSectionShareCmd(f, true))
	return cmd
}

// assignment is one PROP=VALUE argument, parsed against a section.
type assignment struct {
	Tag   mapi.Tag
	Value any
}

// parseAssignments parses PROP=VALUE pairs for section s. Secure tags are
// refused (secrets never come from argv; credential set stores them).
func parseAssignments(s *profile.Section, pairs []string) ([]assignment, error) {
	var out []assignment
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
				WithHint("store credentials with 'mapictl credential set " + s.Name + "' (the secret is read from a prompt or stdin)")
		}
		if profile.IsReserved(t) {
			return nil, mapi.Errorf(mapi.InvalidParameter, "%s is maintained by mapictl", k)
		}
		val, err := mapi.ParseValue(t, v)
		if err != nil {
			return nil, err
		}
		if val, err = absolutePath(t, val); err != nil {
			return nil, err
		}
		out = append(out, assignment{t, val})
	}
	return out, nil
}

// absolutePath stores a relative smtp.ca-file as an absolute path, resolved
// against the current directory when it is set: read later from another
// directory (spool flush from cron), the relative name would name another
// file or none. The binds cover the path, not the file's contents.
func absolutePath(t mapi.Tag, val any) (any, error) {
	p, ok := val.(string)
	if t != mapi.PrSMTPCAFile || !ok || p == "" || filepath.IsAbs(p) {
		return val, nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, mapi.Wrap(mapi.InvalidParameter, err, "cannot resolve smtp.ca-file "+strconv.Quote(p))
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

// applySettings sets the assignments on s and, when a bound setting
// changed and s has a secure range, re-binds it to the new settings (an
// owner's own change, signed as it is saved) and says what changed. A
// mismatch from before is left for 'profile accept' to review.
func (f *factory) applySettings(p *profile.Profile, s *profile.Section, as []assignment, ids []age.Identity) error {
	var changed []string
	for _, a := range as {
		old, had := s.Props[a.Tag]
		if err := s.SetProp(a.Tag, a.Value); err != nil {
			return err
		}
		if profile.IsBound(a.Tag) && (!had || mapi.FormatValue(a.Tag, old) != mapi.FormatValue(a.Tag, a.Value)) {
			show := "unset"
			if had {
				show = mapi.FormatValue(a.Tag, old)
			}
			changed = append(changed, mapi.DisplayName(a.Tag, s.Scope())+": "+show+" -> "+mapi.FormatValue(a.Tag, a.Value))
		}
	}
	return f.rebind(p, s, ids, changed)
}

// rebind re-binds s's range after the bound settings named in changed
// (lines "name: old -> new") changed.
func (f *factory) rebind(p *profile.Profile, s *profile.Section, ids []age.Identity, changed []string) error {
	if s.Secure == nil || len(changed) == 0 {
		return nil
	}
	if err := p.Reseal(s, ids, true); err != nil {
		return err
	}
	for _, c := range changed {
		f.warnf("credentials of section %q re-bound: %s", s.Name, c)
	}
	return nil
}
