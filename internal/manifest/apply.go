package manifest

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	IDs   []age.Identity // the applier's identities, to open secure ranges
	Self  []string       // the applier's recipients: --prune never removes them as owners
	Prune bool           // delete sections, and properties of named sections, the manifest does not name
}

// Apply makes p what m describes and returns the plan of what it changed.
// secrets are m's resolved credentials (Resolver.ResolveAll). p is changed
// in memory only; the caller saves it (or, for a dry run, does not).
//
// p's owners gain m's owners and each section's readers its manifest
// section's readers (CheckMix applies); with Prune, those not listed are
// taken out. Sections are created or updated; properties the
// manifest does not name are kept unless Prune. Credentials are merged into
// the secure range: a range is re-sealed only when a value, the recipients
// or (after a change of a bound setting) the binds change. A range the
// applier cannot open is left as it is when the manifest gives no
// credentials for it and replaced when it does. A new or changed access
// token (oauth2-token) without an oauth2.expiry beside it drops the held
// expiry, which was the old token's. Errors: MAPI_E_INVALID_PARAMETER
// for a section whose kind differs from the profile's, or a value the
// section refuses; those of profile.Section.WriteSecure.
func Apply(p *profile.Profile, m *Manifest, secrets Secrets, o ApplyOptions) (*Plan, error) {
	plan := &Plan{Profile: p.Name, Changes: []Change{}}
	if err := applyOwners(p, m, plan, o); err != nil {
		return nil, err
	}
	for _, ms := range m.Sections {
		s, err := ensureSection(p, ms, plan)
		if err != nil {
			return nil, err
		}
		if err := applyReaders(p, s, ms, plan, o); err != nil {
			return nil, err
		}
		bound, err := applyProps(s, ms, plan, o.Prune)
		if err != nil {
			return nil, err
		}
		if err := applyCreds(p, s, ms, secrets[ms.Name], plan, o, bound); err != nil {
			return nil, err
		}
	}
	if o.Prune {
		for _, s := range slices.Clone(p.Sections) {
			if s.Kind == profile.KindGlobal || slices.ContainsFunc(m.Sections, func(ms *Section) bool { return ms.Name == s.Name }) {
				continue
			}
			if err := p.RemoveSection(s.Name); err != nil {
				return nil, err
			}
			plan.add(Change{Action: Delete, Section: s.Name})
		}
	}
	return plan, nil
}

func ensureSection(p *profile.Profile, ms *Section, plan *Plan) (*profile.Section, error) {
	kind := ms.kindOf()
	if kind == profile.KindGlobal {
		g := p.Global()
		if g == nil || g.Name != ms.Name {
			return nil, mapi.Errorf(mapi.InvalidParameter, "the global section of profile %q is not named %q", p.Name, ms.Name)
		}
		return g, nil
	}
	s, err := p.Section(ms.Name)
	if err != nil {
		s, err = p.AddSection(ms.Name, kind, ms.Transport)
		if err != nil {
			return nil, err
		}
		plan.add(Change{Action: Create, Section: s.Name, New: kind})
		return s, nil
	}
	if s.Kind != kind {
		return nil, mapi.Errorf(mapi.InvalidParameter, "section %q is a %s section in profile %q, the manifest makes it a %s", s.Name, s.Kind, p.Name, kind).
			WithHint("delete it first with 'mapictl -p " + textsafe.ShellArg(p.Name) + " section delete " + textsafe.ShellArg(s.Name) + "', or apply with --prune after renaming it")
	}
	if kind == profile.KindTransport && s.Transport() != ms.Transport {
		old := s.Transport()
		if err := s.SetProp(mapi.PrTransport, ms.Transport); err != nil {
			return nil, err
		}
		plan.add(Change{Action: Update, Section: s.Name, Prop: "transport", Old: old, New: ms.Transport})
	}
	return s, nil
}

// inSection is err said of the manifest's section name at line (0: no
// line), keeping its code, exit and hints. Its message is err's once:
// mapi.Wrap would append err's text to a prefix that already quotes it.
func inSection(name string, line int, err error) error {
	e := mapi.AsError(err)
	where := fmt.Sprintf("section %q", name)
	if line > 0 {
		where += fmt.Sprintf(", line %d", line)
	}
	return &mapi.Error{Code: e.Code, Exit: e.Exit, Msg: where + ": " + e.Msg, Hints: e.Hints, Err: err}
}

// maintained are properties --prune never removes: mapictl keeps them.
func maintained(s *profile.Section, t mapi.Tag) bool {
	if profile.IsReserved(t) {
		return true
	}
	return s.Kind == profile.KindTransport && (t == mapi.PrTransport || t == mapi.PrProviderOrdinal || t == mapi.PrAddrType)
}

// applyProps sets ms's properties on s and reports whether a setting the
// secure range is bound to changed.
func applyProps(s *profile.Section, ms *Section, plan *Plan, prune bool) (bool, error) {
	bound := false
	named := map[mapi.Tag]bool{}
	for _, mp := range ms.Props {
		named[mp.Tag] = true
		old, ok := s.Props[mp.Tag]
		if ok && equal(mp.Tag, old, mp.Value) {
			continue
		}
		if err := s.SetProp(mp.Tag, mp.Value); err != nil {
			return false, inSection(s.Name, mp.Line, err)
		}
		c := Change{Action: Create, Section: s.Name, Prop: mp.Key, New: mapi.FormatValue(mp.Tag, mp.Value)}
		if ok {
			c.Action, c.Old = Update, mapi.FormatValue(mp.Tag, old)
		}
		plan.add(c)
		bound = bound || profile.IsBound(mp.Tag)
	}
	if prune {
		var drop []mapi.Tag
		for t := range s.Props {
			if !named[t] && !maintained(s, t) {
				drop = append(drop, t)
			}
		}
		sort.Slice(drop, func(i, j int) bool { return drop[i] < drop[j] })
		for _, t := range drop {
			plan.add(Change{Action: Delete, Section: s.Name, Prop: mapi.DisplayName(t, s.Scope()), Old: mapi.FormatValue(t, s.Props[t])})
			delete(s.Props, t)
			bound = bound || profile.IsBound(t)
		}
	}
	return bound, nil
}

func equal(t mapi.Tag, a, b any) bool {
	x, err1 := mapi.EncodeJSON(t, a)
	y, err2 := mapi.EncodeJSON(t, b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func credName(ms *Section, t mapi.Tag, scope mapi.Scope) string {
	for _, c := range ms.Credentials {
		if c.Tag == t {
			return c.Key
		}
	}
	return mapi.DisplayName(t, scope)
}

// applyCreds merges creds into s's secure range (see Apply).
func applyCreds(p *profile.Profile, s *profile.Section, ms *Section, creds map[mapi.Tag]any, plan *Plan, o ApplyOptions, bound bool) error {
	var tags []mapi.Tag
	for _, c := range ms.Credentials {
		tags = append(tags, c.Tag)
	}
	if s.Secure == nil {
		if len(creds) == 0 {
			return nil
		}
		for _, t := range tags {
			plan.add(Change{Action: Create, Section: s.Name, Prop: credName(ms, t, s.Scope()), Secret: true})
		}
		return p.WriteSecure(s, o.IDs, creds)
	}
	c, err := s.OpenSecure(o.IDs)
	if err != nil {
		if !mapi.IsCode(err, mapi.NoAccess) {
			return err
		}
		if len(creds) == 0 {
			if bound {
				plan.warnf("you cannot open the credentials of section %q: they stay bound to its old settings until a holder confirms the change", s.Name)
			}
			return nil
		}
		plan.add(Change{Action: Replace, Section: s.Name, Prop: "credentials", Note: "replaced, not readable by you"})
		s.Secure = nil
		return p.WriteSecure(s, o.IDs, creds)
	}
	props := make(map[mapi.Tag]any, len(c.Props)+len(creds))
	for t, v := range c.Props {
		props[t] = v
	}
	changed := false
	for _, t := range tags {
		ch := Change{Action: Unchanged, Section: s.Name, Prop: credName(ms, t, s.Scope()), Secret: true}
		old, ok := props[t]
		switch {
		case !ok:
			ch.Action = Create
		case !equal(t, old, creds[t]):
			ch.Action = Update
		}
		changed = changed || ch.Action != Unchanged
		props[t] = creds[t]
		plan.add(ch)
		if t == mapi.PrOAuth2Token && ch.Action != Unchanged && !slices.Contains(tags, mapi.PrOAuth2Expiry) {
			if _, ok := props[mapi.PrOAuth2Expiry]; ok {
				// It told when the token this one replaces expired.
				delete(props, mapi.PrOAuth2Expiry)
				plan.add(Change{Action: Delete, Section: s.Name, Prop: mapi.DisplayName(mapi.PrOAuth2Expiry, s.Scope()), Secret: true})
			}
		}
	}
	rebind := !c.BindsOK && bound
	if rebind && !changed {
		plan.add(Change{Action: Update, Section: s.Name, Prop: "credentials", Note: "re-bound to the new settings"})
	}
	if !c.BindsOK && !bound {
		plan.warnf("the credentials of section %q are bound to other settings than it has; confirm them with 'mapictl section set %s PROP=VALUE'", s.Name, textsafe.ShellArg(s.Name))
	}
	if !changed && !rebind {
		return nil
	}
	return p.WriteSecure(s, o.IDs, props)
}

// applyOwners adds m's owners to p (each re-seals every range) and, with
// Prune, removes owners m does not list, except the applier's own keys
// (o.Self), which it keeps with a warning. Each is a line of the plan: who
// can read what is what a reviewer of a dry run looks for first.
func applyOwners(p *profile.Profile, m *Manifest, plan *Plan, o ApplyOptions) error {
	for _, r := range m.Owners {
		added, err := AddOwner(p, o.IDs, r)
		if err != nil {
			return err
		}
		if added {
			plan.add(Change{Action: Update, Prop: "owners", New: "+" + r, Note: "reads every section"})
		}
	}
	if !o.Prune || len(m.Owners) == 0 {
		return nil
	}
	for _, r := range slices.Clone(p.Owners) {
		if slices.Contains(m.Owners, r) {
			continue
		}
		if slices.Contains(o.Self, r) {
			plan.warnf("the manifest does not list you (%s) as an owner; --prune keeps you", r)
			continue
		}
		if _, _, err := RemoveOwner(p, o.IDs, r); err != nil {
			return err
		}
		plan.add(Change{Action: Update, Prop: "owners", New: "-" + r, Note: "signing key rotated"})
	}
	return nil
}

// applyReaders makes ms's readers readers of s and, with Prune, takes out
// those ms does not list.
func applyReaders(p *profile.Profile, s *profile.Section, ms *Section, plan *Plan, o ApplyOptions) error {
	for _, r := range ms.Readers {
		added, err := Share(p, s, o.IDs, r)
		if err != nil {
			return err
		}
		if added {
			plan.add(Change{Action: Update, Section: s.Name, Prop: "readers", New: "+" + r})
		}
	}
	if !o.Prune {
		return nil
	}
	for _, r := range slices.Clone(s.Readers) {
		if slices.Contains(ms.Readers, r) {
			continue
		}
		if _, err := Unshare(p, s, o.IDs, r); err != nil {
			return err
		}
		plan.add(Change{Action: Update, Section: s.Name, Prop: "readers", New: "-" + r})
	}
	return nil
}
