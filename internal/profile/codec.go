package profile

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/secure"
)

type rawJSON = json.RawMessage

// Unmarshal decodes a profile document (the plaintext of NAME.age) and
// validates it. Errors are MAPI_E_CORRUPT_DATA.
func Unmarshal(data []byte) (*Profile, error) {
	p, err := unmarshal(bytes.NewReader(data), "")
	if err != nil {
		return nil, documentErr(err)
	}
	if err := p.Validate(); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "profile document: %v", err)
	}
	return p, nil
}

// UnmarshalSection decodes from a profile document only what a reader of
// one section needs: the syntax of the whole document, the profile's and
// every section's header (name, uid, kind: the checks of Validate that span
// sections) and section name in full. It returns the profile name and the
// section, or MAPI_E_NOT_FOUND when there is no such section. Errors are
// otherwise MAPI_E_CORRUPT_DATA. A profile is never saved from this: a
// writer loads it whole.
func UnmarshalSection(data []byte, name string) (string, *Section, error) {
	p, ok := skimDocument(data, nil, name)
	h, s, err := sectionOf(p, ok, data, name)
	if h == nil {
		return "", s, err
	}
	return h.Name, s, err
}

// unmarshalSectionAhead is UnmarshalSection of a plaintext that is still
// being decrypted: skim scans each chunk as it is decrypted. Nothing is
// returned before all of the file is authenticated.
// It returns the profile's header (name, uid, version, owners, signing;
// Sections holds the one section when it exists).
func unmarshalSectionAhead(pt *secure.Plaintext, name string) (*Profile, *Section, error) {
	p, ok := skimDocument(pt.Next(0), pt.Next, name)
	data, err := pt.All()
	if err != nil {
		return nil, nil, err
	}
	return sectionOf(p, ok, data, name)
}

// sectionOf ends UnmarshalSection: p is what skim read of data, validated,
// when ok; else jsontext decodes data and validate checks it. It returns
// the header, with section name as its only section when there is one.
func sectionOf(p *Profile, ok bool, data []byte, name string) (*Profile, *Section, error) {
	if !ok {
		var err error
		if p, err = unmarshal(bytes.NewReader(data), name); err != nil {
			return nil, nil, documentErr(err)
		}
		if err := p.validate(name); err != nil {
			return nil, nil, mapi.Errorf(mapi.CorruptData, "profile document: %v", err)
		}
	}
	s, err := p.Section(name)
	if s != nil {
		p.Sections = []*Section{s}
	} else {
		p.Sections = nil
	}
	return p, s, err
}

// Marshal encodes p as the profile document, with sorted property keys and
// unknown fields as they were read. The document is compact JSON (one line):
// indentation made a profile 17% larger, and every byte is decrypted and
// scanned by every command (docs/performance.md); jq shows it indented.
func Marshal(p *Profile) ([]byte, error) {
	secs := make([]any, len(p.Sections))
	for i, s := range p.Sections {
		props := make(map[string]rawJSON, len(s.Props))
		for t, v := range s.Props {
			raw, err := mapi.EncodeJSON(t, v)
			if err != nil {
				return nil, mapi.Wrap(mapi.CallFailed, err, "encode profile")
			}
			props[t.String()] = raw
		}
		obj := withExtra(s.extra, "name", s.Name, "uid", s.UID, "kind", s.Kind)
		if s.Service != "" {
			obj["service"] = s.Service
		}
		obj["props"] = props
		if len(s.Readers) > 0 {
			obj["readers"] = s.Readers
		}
		if s.Secure != nil {
			sec := withExtra(s.Secure.extra, "recipients", nonNil(s.Secure.Recipients), "age", s.Secure.age)
			sec["tags"] = nonNil(s.Secure.Tags)
			obj["secure"] = sec
		}
		secs[i] = obj
	}
	doc := withExtra(p.extra, "format", Format, "name", p.Name, "uid", p.UID,
		"recipients", nonNil(p.Recipients))
	if p.Owners != nil || p.Signing != nil {
		doc["version"], doc["owners"] = p.Version, nonNil(p.Owners)
	}
	if g := p.Signing; g != nil {
		obj := withExtra(g.extra, "key", g.Key, "sealed", g.sealed)
		if len(g.Rotations) > 0 {
			rots := make([]any, len(g.Rotations))
			for i, r := range g.Rotations {
				rots[i] = withExtra(r.extra, "key", r.Key, "by", r.By, "sig", r.Sig)
			}
			obj["rotations"] = rots
		}
		doc["signing"] = obj
	}
	doc["sections"] = secs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, mapi.Wrap(mapi.CallFailed, err, "encode profile")
	}
	return buf.Bytes(), nil
}

func withExtra(extra map[string]rawJSON, kv ...any) map[string]any {
	m := make(map[string]any, len(extra)+len(kv)/2)
	for k, v := range extra {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// documentErr is MAPI_E_CORRUPT_DATA for a document that does not decode;
// an error of the reader (the file failed to decrypt as it was read: the
// only *mapi.Error unmarshal returns) says so itself.
func documentErr(err error) error {
	if me := new(mapi.Error); errors.As(err, &me) {
		return me
	}
	return mapi.Errorf(mapi.CorruptData, "profile document: %v", err)
}
