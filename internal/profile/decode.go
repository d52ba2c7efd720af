package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/mapictl/mapictl/internal/mapi"
)

// The document is decoded in one pass over jsontext tokens (the
// encoding/json/v2 tokenizer): every byte is scanned once, whatever the
// nesting, where decoding each level into map[string]json.RawMessage scanned
// a section's bytes five to seven times (docs/performance.md). Unknown fields
// are kept as their raw JSON; invalid UTF-8 is refused, and duplicate member
// names in every object that is decoded (see decodeOpts).

// decodeOpts leaves duplicate member names to this decoder, which refuses
// them in every object it decodes (readObject, readProps) without the
// tokenizer's bookkeeping of every name in every object, skipped ones too:
// duplicates inside a value that is only skipped or kept raw pass, as any
// other fault of such a value does.
var decodeOpts = jsontext.AllowDuplicateNames(true)

// errWrongType is reported, with the field's name, for a value of the wrong
// JSON kind.
var errWrongType = errors.New("has the wrong type")

// unmarshal decodes the document read from r to its end. When only is not
// "", the props and secure range of every other section are checked for
// syntax only and left empty: the result serves a reader of section only
// and must never be saved. An error of r that is a *mapi.Error (a file that
// fails to decrypt as it is read) is returned as it is.
func unmarshal(r io.Reader, only string) (*Profile, error) {
	p, err := decodeDocument(r, only)
	var syn *jsontext.SyntacticError
	var me *mapi.Error
	switch {
	case errors.As(err, &me):
		return nil, me
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("truncated document")
	case errors.As(err, &syn):
		// The tokenizer's message may quote input; say where, not what.
		return nil, fmt.Errorf("malformed JSON near byte %d", syn.ByteOffset)
	}
	return p, err
}

func decodeDocument(r io.Reader, only string) (*Profile, error) {
	d := jsontext.NewDecoder(r, decodeOpts)
	p := &Profile{}
	var format string
	err := readObject(d, []string{"format", "name", "uid", "recipients", "sections",
		"version?", "owners?", "signing?", "signature?"}, &p.extra,
		func(name string) error {
			switch name {
			case "format":
				if err := readString(d, &format); err != nil {
					return err
				}
				if format != Format {
					return fmt.Errorf("unknown format %q", clip(format))
				}
				return nil
			case "name":
				return readString(d, &p.Name)
			case "uid":
				return readString(d, &p.UID)
			case "recipients":
				return readStrings(d, &p.Recipients)
			case "version":
				return readVersion(d, &p.Version)
			case "owners":
				return readStrings(d, &p.Owners)
			case "signing":
				return readSigning(d, p)
			case "signature":
				var sig string // checked on the bytes by splitSigned
				return readString(d, &sig)
			default: // "sections"
				return readArray(d, func() error {
					s, err := readSection(d, only)
					if err != nil {
						return fmt.Errorf("section %d: %v", len(p.Sections)+1, err)
					}
					p.Sections = append(p.Sections, s)
					return nil
				})
			}
		})
	if err != nil {
		return nil, err
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return nil, fmt.Errorf("data after the document")
	}
	return p, nil
}

// readSection reads one section object. With only == "" the section is
// decoded in full. Else its props and secure range are skipped (checked for
// syntax only) once its name is known to be another's; before that they are
// kept raw, as the name may follow them, and decoded if the name is only.
func readSection(d *jsontext.Decoder, only string) (*Section, error) {
	s := &Section{}
	var props, sec []byte
	body := func(dst *[]byte, decode func(d *jsontext.Decoder) error) error {
		switch {
		case only == "":
			return decode(d)
		case s.Name != "" && s.Name != only:
			_, err := d.ReadValue() // checks syntax; faster than SkipValue
			return err
		}
		v, err := d.ReadValue()
		*dst = v.Clone()
		return err
	}
	err := readObject(d, []string{"name", "uid", "kind", "service?", "props?", "secure?", "readers?"}, &s.extra,
		func(name string) error {
			switch name {
			case "name":
				return readString(d, &s.Name)
			case "uid":
				return readString(d, &s.UID)
			case "kind":
				return readString(d, &s.Kind)
			case "service":
				return readString(d, &s.Service)
			case "readers":
				return readStrings(d, &s.Readers)
			case "props":
				return body(&props, func(d *jsontext.Decoder) error { return readProps(d, s) })
			default: // "secure"
				return body(&sec, func(d *jsontext.Decoder) error { return readSecure(d, s) })
			}
		})
	if err != nil || (only != "" && s.Name != only) {
		return s, err
	}
	if props != nil {
		if err := readProps(jsontext.NewDecoder(bytes.NewBuffer(props), decodeOpts), s); err != nil {
			return nil, wrongType("props", err)
		}
	}
	if sec != nil {
		if err := readSecure(jsontext.NewDecoder(bytes.NewBuffer(sec), decodeOpts), s); err != nil {
			return nil, wrongType("secure", err)
		}
	}
	if s.Props == nil {
		s.Props = map[mapi.Tag]any{}
	}
	return s, nil
}

// wrongType names field in errWrongType, as readObject does.
func wrongType(field string, err error) error {
	if errors.Is(err, errWrongType) {
		return fmt.Errorf("field %q %v", field, err)
	}
	return err
}

// readVersion reads a profile version: a non-negative integer.
func readVersion(d *jsontext.Decoder, dst *int64) error {
	if d.PeekKind() != '0' {
		_, _ = d.ReadValue()
		return errWrongType
	}
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(tok.String(), 10, 64)
	if err != nil || v < 0 {
		return fmt.Errorf("field \"version\" is not a version number")
	}
	*dst = v
	return nil
}

// readSigning decodes the signing block: the claimed public key and the
// sealed seed, kept as its JSON string literal.
func readSigning(d *jsontext.Decoder, p *Profile) error {
	g := &Signing{}
	if err := readObject(d, []string{"key", "sealed", "rotations?"}, &g.extra, func(name string) error {
		switch name {
		case "key":
			return readString(d, &g.Key)
		case "rotations":
			return readArray(d, func() error {
				var r Rotation
				err := readObject(d, []string{"key", "by", "sig"}, &r.extra, func(name string) error {
					dst := map[string]*string{"key": &r.Key, "by": &r.By, "sig": &r.Sig}[name]
					return readString(d, dst)
				})
				g.Rotations = append(g.Rotations, r)
				return err
			})
		}
		if d.PeekKind() != '"' {
			_, _ = d.ReadValue()
			return errWrongType
		}
		lit, err := d.ReadValue()
		g.sealed = rawJSON(lit.Clone())
		return err
	}); err != nil {
		return fmt.Errorf("signing: %v", err)
	}
	p.Signing = g
	return nil
}

// readSecure decodes a section's secure blob (or null); the armored range is
// kept as its JSON string literal.
func readSecure(d *jsontext.Decoder, s *Section) error {
	if d.PeekKind() == 'n' {
		_, err := d.ReadToken()
		return err
	}
	b := &SecureBlob{}
	if err := readObject(d, []string{"recipients", "tags?", "age"}, &b.extra, func(name string) error {
		switch name {
		case "recipients":
			return readStrings(d, &b.Recipients)
		case "tags":
			return readStrings(d, &b.Tags)
		default: // "age"
			if d.PeekKind() != '"' {
				_, _ = d.ReadValue()
				return errWrongType
			}
			lit, err := d.ReadValue()
			b.age = rawJSON(lit.Clone())
			return err
		}
	}); err != nil {
		return fmt.Errorf("section %q: secure: %v", s.Name, err)
	}
	s.Secure = b
	return nil
}

// readProps decodes a props object into s.Props: keys are canonical hex tags,
// values the JSON form of their property type (mapi.DecodeValue).
func readProps(d *jsontext.Decoder, s *Section) error {
	if d.PeekKind() == 'n' {
		_, err := d.ReadToken()
		return err
	}
	if err := expect(d, '{'); err != nil {
		return err
	}
	if s.Props == nil {
		s.Props = map[mapi.Tag]any{}
	}
	for d.PeekKind() != '}' {
		tok, err := d.ReadToken()
		if err != nil {
			return err
		}
		k := tok.String()
		t, err := mapi.ParseHexTag(k)
		if err != nil || t.String() != k {
			return fmt.Errorf("section %q: malformed property key %q", s.Name, clip(k))
		}
		jv, err := readAny(d)
		if err != nil {
			return err
		}
		v, err := mapi.DecodeValue(t, jv)
		if err != nil {
			return fmt.Errorf("section %q: %v", s.Name, err)
		}
		if _, dup := s.Props[t]; dup {
			return fmt.Errorf("section %q: duplicate property %s", s.Name, t)
		}
		s.Props[t] = v
	}
	_, err := d.ReadToken()
	return err
}

// readAny reads one value in the shape encoding/json gives an any, as
// mapi.DecodeValue takes it; an object is skipped and returned as an empty
// map (no property type takes one).
func readAny(d *jsontext.Decoder) (any, error) {
	switch d.PeekKind() {
	case '{':
		_, err := d.ReadValue()
		return map[string]any{}, err
	case '[':
		items := []any{}
		err := readArray(d, func() error {
			v, err := readAny(d)
			items = append(items, v)
			return err
		})
		return items, err
	}
	tok, err := d.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '"':
		return tok.String(), nil
	case '0':
		f, err := tok.Float()
		if err != nil {
			return nil, errors.New("number out of range") // not the tokenizer's message, which quotes it
		}
		return f, nil
	case 't', 'f':
		return tok.Bool(), nil
	}
	return nil, nil // null
}

// readObject reads one JSON object, calling field for each member named in
// known (a trailing '?' marks it optional) with the decoder positioned at its
// value, and keeping every other member's raw value in *extra. A missing
// required member is an error.
func readObject(d *jsontext.Decoder, known []string, extra *map[string]rawJSON, field func(name string) error) error {
	if k := d.PeekKind(); k != '{' {
		if _, err := d.ReadToken(); k == 0 && err != nil {
			return err // a read error (a file that fails to decrypt), or truncation
		}
		return fmt.Errorf("not a JSON object")
	}
	if _, err := d.ReadToken(); err != nil {
		return err
	}
	var seen uint64
	for d.PeekKind() != '}' {
		// The name is read raw and matched without a copy: a thousand
		// sections have some ten thousand member names.
		lit, err := d.ReadValue()
		if err != nil {
			return err
		}
		i, name := indexField(known, lit)
		if i < 0 {
			raw, err := d.ReadValue()
			if err != nil {
				return err
			}
			if *extra == nil {
				*extra = map[string]rawJSON{}
			}
			if _, dup := (*extra)[name]; dup {
				return fmt.Errorf("duplicate member %q", clip(name))
			}
			(*extra)[name] = rawJSON(raw.Clone())
			continue
		}
		if seen&(1<<i) != 0 {
			return fmt.Errorf("duplicate member %q", name)
		}
		seen |= 1 << i
		if err := field(name); err != nil {
			if errors.Is(err, errWrongType) {
				return fmt.Errorf("field %q %v", name, err)
			}
			return err
		}
	}
	if _, err := d.ReadToken(); err != nil {
		return err
	}
	for i, k := range known {
		if k[len(k)-1] != '?' && seen&(1<<i) == 0 {
			return fmt.Errorf("missing field %q", k)
		}
	}
	return nil
}

// indexField finds the member name lit (a JSON string literal) in known. It
// returns its index and name, or -1 and the unquoted name.
func indexField(known []string, lit jsontext.Value) (int, string) {
	name := unquote(lit) // no copy unless it has escapes
	for i, k := range known {
		if k = strings.TrimSuffix(k, "?"); string(name) == k {
			return i, k
		}
	}
	return -1, string(name)
}

// readString reads a string, or null as "" (as encoding/json did).
func readString(d *jsontext.Decoder, dst *string) error {
	switch d.PeekKind() {
	case '"':
		tok, err := d.ReadToken()
		*dst = tok.String()
		return err
	case 'n':
		_, err := d.ReadToken()
		return err
	case 0:
		_, err := d.ReadToken()
		return err
	}
	_, _ = d.ReadValue()
	return errWrongType
}

// readStrings reads an array of strings, or null as nil.
func readStrings(d *jsontext.Decoder, dst *[]string) error {
	if d.PeekKind() == 'n' {
		_, err := d.ReadToken()
		return err
	}
	*dst = []string{}
	return readArray(d, func() error {
		if d.PeekKind() != '"' {
			_, _ = d.ReadValue()
			return errWrongType
		}
		tok, err := d.ReadToken()
		*dst = append(*dst, tok.String())
		return err
	})
}

// readArray reads an array, calling item with the decoder at each element.
func readArray(d *jsontext.Decoder, item func() error) error {
	if err := expect(d, '['); err != nil {
		return err
	}
	for d.PeekKind() != ']' {
		if d.PeekKind() == 0 {
			_, err := d.ReadToken()
			return err
		}
		if err := item(); err != nil {
			return err
		}
	}
	_, err := d.ReadToken()
	return err
}

// expect reads the opening token of an object or array of kind k.
func expect(d *jsontext.Decoder, k jsontext.Kind) error {
	if got := d.PeekKind(); got != k {
		if got == 0 {
			_, err := d.ReadToken()
			return err
		}
		_, _ = d.ReadValue()
		return errWrongType
	}
	_, err := d.ReadToken()
	return err
}
