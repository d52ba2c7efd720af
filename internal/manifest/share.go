package manifest

import (
	"slices"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Who reads what (SPEC §5). Owners open every section's secrets; a
// section's readers open that section's only. Every function changes p in
// memory; the caller saves it (profile.Store.Update, which only an owner
// can run). A range is re-sealed to p.SealedTo(s), never to a list
// recorded in or beside it, and only through ReadSecure, so credentials
// whose binds no longer match the settings are not silently re-bound.

// Share makes r a reader of section s: its range (if any) is re-sealed to
// the owners and s's readers with a fresh file key, and r can read the
// outer layer. It reports whether p changed. Errors: MAPI_E_INVALID_PARAMETER
// when r cannot be mixed with p's recipients; those of ReadSecure.
func Share(p *profile.Profile, s *profile.Section, ids []age.Identity, r string) (bool, error) {
	if slices.Contains(s.Readers, r) || p.IsOwner(r) {
		return false, nil
	}
	if err := secure.CheckMix(append(slices.Clone(p.Recipients), r)); err != nil {
		return false, err
	}
	s.Readers = append(slices.Clone(s.Readers), r)
	return true, p.Reseal(s, ids, false)
}

// Unshare takes r out of s's readers and re-seals s's range without it,
// with a fresh file key. It reports whether p changed (false when r was
// not a reader of s; an owner is taken out with RemoveOwner).
func Unshare(p *profile.Profile, s *profile.Section, ids []age.Identity, r string) (bool, error) {
	i := slices.Index(s.Readers, r)
	if i < 0 {
		return false, nil
	}
	s.Readers = slices.Delete(slices.Clone(s.Readers), i, i+1)
	return true, p.Reseal(s, ids, false)
}

// AddOwner makes r an owner of p: every range is re-sealed to include it,
// and the signing key is sealed to it on save. It reports whether p changed.
func AddOwner(p *profile.Profile, ids []age.Identity, r string) (bool, error) {
	if p.IsOwner(r) {
		return false, nil
	}
	if err := secure.CheckMix(append(slices.Clone(p.Recipients), r)); err != nil {
		return false, err
	}
	p.Owners = append(slices.Clone(p.Owners), r)
	for _, s := range p.Sections {
		s.Readers = slices.DeleteFunc(slices.Clone(s.Readers), func(x string) bool { return x == r })
		if err := p.Reseal(s, ids, false); err != nil {
			return false, err
		}
	}
	return true, nil
}

// RemoveOwner takes r out of p's owners and out of every section's
// readers, re-seals every range without it (fresh file keys), and rotates
// the signing key. It returns the sections whose range it re-sealed.
// MAPI_E_INVALID_PARAMETER when p would have no owner left.
func RemoveOwner(p *profile.Profile, ids []age.Identity, r string) (changed bool, resealed []string, err error) {
	i := slices.Index(p.Owners, r)
	for _, s := range p.Sections {
		if slices.Contains(s.Readers, r) {
			changed = true
			s.Readers = slices.DeleteFunc(slices.Clone(s.Readers), func(x string) bool { return x == r })
		}
	}
	if i >= 0 {
		if len(p.Owners) == 1 {
			return false, nil, mapi.Errorf(mapi.InvalidParameter, "profile %q would have no owner left", p.Name).
				WithHint("add another owner first with 'mapictl profile owners " + textsafe.ShellArg(p.Name) + " add R'")
		}
		p.Owners = slices.Delete(slices.Clone(p.Owners), i, i+1)
		p.RotateSigningKey()
		changed = true
	}
	if !changed {
		return false, nil, nil
	}
	if resealed, err = resealAll(p, ids); err != nil {
		return false, nil, err
	}
	return true, resealed, nil
}

// Rekey re-seals every secure range with a fresh file key, to its owners
// and readers, and asks for a new signing key (Profile.RotateSigningKey).
// It changes p only: run it inside profile.Store.Update, whose save makes
// the key, endorses it with the old one, seals it to the owners, signs,
// re-encrypts the outer layer with a fresh file key, writes atomically and
// pins, as for every other change. It returns the sections re-sealed. An
// owner opens every range: one that does not open is an error, and
// nothing is saved.
func Rekey(p *profile.Profile, ids []age.Identity) (resealed []string, err error) {
	if resealed, err = resealAll(p, ids); err != nil {
		return nil, err
	}
	p.RotateSigningKey()
	return resealed, nil
}

// resealAll re-seals every secure range of p (Profile.Reseal, no re-bind)
// and returns the sections it re-sealed, stopping at the first error.
func resealAll(p *profile.Profile, ids []age.Identity) (resealed []string, err error) {
	for _, s := range p.Sections {
		if s.Secure == nil {
			continue
		}
		if err := p.Reseal(s, ids, false); err != nil {
			return nil, err
		}
		resealed = append(resealed, s.Name)
	}
	return resealed, nil
}
