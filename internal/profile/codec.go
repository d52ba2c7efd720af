package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/mapictl/mapictl/internal/mapi"
)

type rawJSON = json.RawMessage

// known fields of each object; everything else is kept in extra.
var (
	profileFields = []string{"format", "name", "uid", "recipients", "sections"}
	sectionFields = []string{"name", "uid", "kind", "service", "props", "secure"}
	secureFields  = []string{"recipients", "tags", "age"}
)

// Unmarshal decodes a profile document (the plaintext of NAME.age) and
// validates it. Errors are MAPI_E_CORRUPT_DATA.
func Unmarshal(data []byte) (*Profile, error) {
	p, err := unmarshal(data)
	if err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "profile document: %v", err)
	}
	if err := p.Validate(); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "profile document: %v", err)
	}
	return p, nil
}

func unmarshal(data []byte) (*Profile, error) {
	var obj map[string]rawJSON
	if err := strictObject(data, &obj); err != nil {
		return nil, err
	}
	var format string
	if err := field(obj, "format", &format, true); err != nil {
		return nil, err
	}
	if format != Format {
		return nil, fmt.Errorf("unknown format %q", clip(format))
	}
	p := &Profile{}
	if err := firstErr(field(obj, "name", &p.Name, true), field(obj, "uid", &p.UID, true),
		field(obj, "recipients", &p.Recipients, true)); err != nil {
		return nil, err
	}
	var secs []rawJSON
	if err := field(obj, "sections", &secs, true); err != nil {
		return nil, err
	}
	for i, raw := range secs {
		s, err := unmarshalSection(raw)
		if err != nil {
			return nil, fmt.Errorf("section %d: %v", i+1, err)
		}
		p.Sections = append(p.Sections, s)
	}
	p.extra = leftovers(obj, profileFields)
	return p, nil
}

func unmarshalSection(data []byte) (*Section, error) {
	var obj map[string]rawJSON
	if err := strictObject(data, &obj); err != nil {
		return nil, err
	}
	s := &Section{Props: map[mapi.Tag]any{}}
	var props map[string]rawJSON
	if err := firstErr(field(obj, "name", &s.Name, true), field(obj, "uid", &s.UID, true),
		field(obj, "kind", &s.Kind, true), field(obj, "service", &s.Service, false),
		field(obj, "props", &props, false)); err != nil {
		return nil, err
	}
	for k, raw := range props {
		t, err := mapi.ParseHexTag(k)
		if err != nil || t.String() != k {
			return nil, fmt.Errorf("section %q: malformed property key %q", s.Name, clip(k))
		}
		v, err := mapi.DecodeJSON(t, raw)
		if err != nil {
			return nil, fmt.Errorf("section %q: %v", s.Name, err)
		}
		s.Props[t] = v
	}
	if raw, ok := obj["secure"]; ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		var sobj map[string]rawJSON
		if err := strictObject(raw, &sobj); err != nil {
			return nil, fmt.Errorf("section %q: secure: %v", s.Name, err)
		}
		b := &SecureBlob{}
		if err := firstErr(field(sobj, "recipients", &b.Recipients, true), field(sobj, "tags", &b.Tags, false),
			field(sobj, "age", &b.Age, true)); err != nil {
			return nil, fmt.Errorf("section %q: secure: %v", s.Name, err)
		}
		b.extra = leftovers(sobj, secureFields)
		s.Secure = b
	}
	s.extra = leftovers(obj, sectionFields)
	return s, nil
}

// Marshal encodes p as the profile document, with sorted property keys and
// unknown fields as they were read.
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
		if s.Secure != nil {
			sec := withExtra(s.Secure.extra, "recipients", nonNil(s.Secure.Recipients), "age", s.Secure.Age)
			sec["tags"] = nonNil(s.Secure.Tags)
			obj["secure"] = sec
		}
		secs[i] = obj
	}
	doc := withExtra(p.extra, "format", Format, "name", p.Name, "uid", p.UID,
		"recipients", nonNil(p.Recipients))
	doc["sections"] = secs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
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

func strictObject(data []byte, obj *map[string]rawJSON) error {
	if err := json.Unmarshal(data, obj); err != nil || *obj == nil {
		return fmt.Errorf("not a JSON object")
	}
	return nil
}

func field(obj map[string]rawJSON, name string, dst any, required bool) error {
	raw, ok := obj[name]
	if !ok {
		if required {
			return fmt.Errorf("missing field %q", name)
		}
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("field %q has the wrong type", name)
	}
	return nil
}

func leftovers(obj map[string]rawJSON, known []string) map[string]rawJSON {
	var out map[string]rawJSON
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(known, k) {
			if out == nil {
				out = map[string]rawJSON{}
			}
			out[k] = obj[k]
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
