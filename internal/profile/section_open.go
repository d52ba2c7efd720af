package profile

import (
	"sort"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// OpenProps is what `section open` shows of s (OpenProfileSection): the
// tags to print, in order, and the values of s's properties, the secure
// range's included when it was read.
//
// With props (names or tags, parsed against s's scope) the tags are those,
// in the order given, each of which s must have (else MAPI_E_NOT_FOUND);
// without, every property of s in tag order, the secure ones only with
// withSecure, as MAPI returns them only on explicit request. The range is
// read ([Section.ReadSecure], with the identities ids returns, called only
// then) when s has one and withSecure is set or a secure tag is named.
func (s *Section) OpenProps(props []string, withSecure bool, ids func() ([]age.Identity, error)) ([]mapi.Tag, map[mapi.Tag]any, error) {
	var want []mapi.Tag
	needSecure := withSecure
	for _, pr := range props {
		t, err := mapi.ParseTag(pr, s.Scope())
		if err != nil {
			return nil, nil, err
		}
		want = append(want, t)
		needSecure = needSecure || t.Secure()
	}
	vals := map[mapi.Tag]any{}
	for t, v := range s.Props {
		vals[t] = v
	}
	if needSecure && s.Secure != nil {
		ids, err := ids()
		if err != nil {
			return nil, nil, err
		}
		c, err := s.ReadSecure(ids)
		if err != nil {
			return nil, nil, err
		}
		for t, v := range c.Props {
			vals[t] = v
		}
	}
	if len(want) > 0 {
		for _, t := range want {
			if _, ok := vals[t]; !ok {
				return nil, nil, mapi.Errorf(mapi.NotFound, "section %q has no property %s", s.Name, mapi.DisplayName(t, s.Scope()))
			}
		}
		return want, vals, nil
	}
	var tags []mapi.Tag
	for t := range vals {
		if !t.Secure() || withSecure {
			tags = append(tags, t)
		}
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i] < tags[j] })
	return tags, vals, nil
}
