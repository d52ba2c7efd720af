package manifest

import (
	"slices"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
)

// Sharing: who reads a profile and each section's secure range. Every
// function changes p in memory only; the caller saves it. r must be a
// normalized recipient (secure.NormalizeRecipient). A range is re-sealed
// only through ReadSecure, so credentials whose binds no longer match the
// settings are never silently re-bound (MAPI_E_NO_ACCESS with a hint).

// AddRecipient makes r a reader of p's outer layer. It reports whether p
// changed; MAPI_E_INVALID_PARAMETER when r cannot be mixed with p's others.
func AddRecipient(p *profile.Profile, r string) (bool, error) {
	if slices.Contains(p.Recipients, r) {
		return false, nil
	}
	rs := append(slices.Clone(p.Recipients), r)
	if err := secure.CheckMix(rs); err != nil {
		return false, err
	}
	p.Recipients = rs
	return true, nil
}

// Share adds r to s's secure range (re-sealed with a fresh file key) and to
// p's readers, so r can read the settings and this section's secrets but
// no other section's. Errors: MAPI_E_NOT_FOUND when s has no range,
// MAPI_E_NO_ACCESS when ids cannot open it or its binds do not match.
func Share(p *profile.Profile, s *profile.Section, ids []age.Identity, r string) (bool, error) {
	if s.Secure == nil {
		return false, mapi.Errorf(mapi.NotFound, "section %q has no credentials to share", s.Name).
			WithHint("store them first with 'mapictl credential set " + s.Name + "'")
	}
	c, err := s.ReadSecure(ids)
	if err != nil {
		return false, err
	}
	changed, err := AddRecipient(p, r)
	if err != nil {
		return false, err
	}
	if slices.Contains(c.Recipients, r) {
		return changed, nil
	}
	return true, s.WriteSecure(ids, c.Props, nil, []string{r}, nil)
}

// Unshare takes r out of s's secure range, re-sealing it with a fresh file
// key; r stays a reader of the profile's settings. It reports whether the
// range changed (false when r was not among its recipients). Errors as
// Share, and MAPI_E_INVALID_PARAMETER when no recipient would be left.
func Unshare(s *profile.Section, ids []age.Identity, r string) (bool, error) {
	if s.Secure == nil {
		return false, nil
	}
	c, err := s.ReadSecure(ids)
	if err != nil {
		return false, err
	}
	if !slices.Contains(c.Recipients, r) {
		return false, nil
	}
	return true, s.WriteSecure(ids, c.Props, nil, nil, []string{r})
}

// RemoveRecipient takes r out of p's readers and out of every section's
// range, and returns the sections whose range it re-sealed. A range that
// lists r (in its outer copy) but that ids cannot open is an error: nothing
// should be saved then. MAPI_E_INVALID_PARAMETER when p would have no
// reader left.
func RemoveRecipient(p *profile.Profile, ids []age.Identity, r string) ([]string, error) {
	var resealed []string
	for _, s := range p.Sections {
		if s.Secure == nil {
			continue
		}
		c, err := s.OpenSecure(ids)
		if mapi.IsCode(err, mapi.NoAccess) && !slices.Contains(s.Secure.Recipients, r) {
			continue
		}
		if err != nil {
			return nil, mapi.Wrap(mapi.AsError(err).Code, err,
				"cannot take "+r+" out of section "+quote(s.Name)+": "+mapi.AsError(err).Msg)
		}
		if !slices.Contains(c.Recipients, r) {
			continue
		}
		ok, err := Unshare(s, ids, r)
		if err != nil {
			return nil, err
		}
		if ok {
			resealed = append(resealed, s.Name)
		}
	}
	if i := slices.Index(p.Recipients, r); i >= 0 {
		if len(p.Recipients) == 1 {
			return nil, mapi.Errorf(mapi.InvalidParameter, "profile %q would have no reader left", p.Name)
		}
		p.Recipients = slices.Delete(slices.Clone(p.Recipients), i, i+1)
	}
	return resealed, nil
}

// Rekey re-seals every secure range ids can open with a fresh file key, to
// the recipients recorded inside it. It returns the sections re-sealed and
// those skipped (not readable by ids, or with binds that do not match);
// the caller re-encrypts the outer layer, which a save does with a fresh
// file key anyway.
func Rekey(p *profile.Profile, ids []age.Identity) (resealed, skipped []string, err error) {
	for _, s := range p.Sections {
		if s.Secure == nil {
			continue
		}
		c, err := s.ReadSecure(ids)
		if mapi.IsCode(err, mapi.NoAccess) {
			skipped = append(skipped, s.Name)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if err := s.WriteSecure(ids, c.Props, nil, nil, nil); err != nil {
			return nil, nil, err
		}
		resealed = append(resealed, s.Name)
	}
	return resealed, skipped, nil
}
