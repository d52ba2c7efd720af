package manifest

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"filippo.io/age"
	"go.yaml.in/yaml/v3"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
)

// ExportOptions tune Export.
type ExportOptions struct {
	IDs    []age.Identity // to open secure ranges (the username, and secrets with Secure)
	Secure bool           // include secrets, as {value: ...}
}

// Export returns the manifest form of p: its owners, every section but
// an empty global one with its kind, transport and non-reserved properties
// (named by alias, MAPI name or hex tag as `section open` shows them), and
// each section's readers (never the recipients recorded in a range). The username
// is exported when the range opens; other secrets only with o.Secure, as
// {value: ...} secrets. A range that does not open is skipped, unless
// o.Secure (then MAPI_E_NO_ACCESS). Applying the result recreates p's
// settings (with o.Secure, its credentials too).
func Export(p *profile.Profile, o ExportOptions) (*Manifest, error) {
	m := &Manifest{Profile: p.Name, Owners: slices.Clone(p.Owners)}
	for _, s := range p.Sections {
		ms := &Section{Name: s.Name, Kind: s.Kind, Readers: slices.Clone(s.Readers)}
		if s.Kind == profile.KindTransport {
			ms.Transport = s.Transport()
		}
		var tags []mapi.Tag
		for t := range s.Props {
			if !profile.IsReserved(t) && t != mapi.PrTransport {
				tags = append(tags, t)
			}
		}
		sort.Slice(tags, func(i, j int) bool { return tags[i] < tags[j] })
		for _, t := range tags {
			ms.Props = append(ms.Props, Prop{Key: mapi.DisplayName(t, s.Scope()), Tag: t, Value: s.Props[t]})
		}
		if err := exportCreds(p, s, ms, o); err != nil {
			return nil, err
		}
		if s.Kind == profile.KindGlobal && len(ms.Props) == 0 && len(ms.Credentials) == 0 && len(ms.Readers) == 0 {
			continue
		}
		m.Sections = append(m.Sections, ms)
	}
	return m, nil
}

func exportCreds(p *profile.Profile, s *profile.Section, ms *Section, o ExportOptions) error {
	if s.Secure == nil {
		return nil
	}
	c, err := s.OpenSecure(o.IDs)
	if err != nil {
		if mapi.IsCode(err, mapi.NoAccess) && !o.Secure {
			return nil
		}
		return err
	}
	var tags []mapi.Tag
	for t := range c.Props {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i] < tags[j] })
	for _, t := range tags {
		v := c.Props[t]
		str, ok := v.(string)
		switch v.(type) {
		case []byte, time.Time:
			str, ok = mapi.FormatValue(t, v), true
		}
		switch {
		case !ok:
			continue
		case t == mapi.PrUsername, t == mapi.PrInboundUsername:
			ms.Credentials = append(ms.Credentials, Cred{Key: mapi.DisplayName(t, s.Scope()), Tag: t, Source: Secret{Literal: str}})
		case o.Secure:
			val := str
			ms.Credentials = append(ms.Credentials, Cred{Key: mapi.DisplayName(t, s.Scope()), Tag: t, Source: Secret{Value: &val}})
		}
	}
	return nil
}

// EncodeYAML renders m as a YAML document.
func (m *Manifest) EncodeYAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "encode manifest")
	}
	if err := enc.Close(); err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "encode manifest")
	}
	return b.Bytes(), nil
}

// EncodeJSON renders m as indented JSON (which Load reads too).
func (m *Manifest) EncodeJSON() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "encode manifest")
	}
	return append(b, '\n'), nil
}
