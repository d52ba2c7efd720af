package profile

// Why this file (and skimscan.go) is hand-written.
//
// What it replaces: for the readers of one section only (credential get,
// credential list, section open: Store.LoadSection), decoding the whole
// document with jsontext (unmarshal) and validating it. Every other reader
// and every writer still goes the long way.
//
// Why: a reader of one section must still check the syntax of the whole
// document and every section's header, and most of its bytes are the other
// sections' armored secure ranges. jsontext scans those at ~400 MB/s, one
// byte at a time and on its slow path (armor has a "\n" escape every 64
// characters), and decodes each header through its token API at ~1.5 µs a
// section. skim checks strings eight bytes at a time and checks the headers
// itself, as validate would, without building them.
//
// Measured how: BenchmarkUnmarshalSection (1,000 sections, no decryption):
// skim 1.78 ms, jsontext 3.19 ms; scripts/bench.sh's "credential get, 1000
// sections / 1 section" went from ~2x to 1.74x (docs/performance.md,
// "Fourth round"; docs/design.md).
//
// Held to jsontext by: FuzzSkimValue (skim never accepts a value jsontext
// refuses) and FuzzSkimDocument (whenever skim vouches for a document,
// jsontext and validate give the same profile), both run in CI by
// scripts/fuzz.sh, and TestSkimVouchesForWhatMarshalWrites. Their seeds
// include a document written through Store.Update (storeWritten in
// skim_test.go: owners, readers, a secure range, a rotated signing key, the
// signature), so a format change to what the store writes reaches them at
// once; a change that adds a member must teach both readers, or skim
// declines (the slow path) and the test says so.
//
// When to delete it: when jsontext (or encoding/json/v2) scans escaped
// strings and headers fast enough that BenchmarkUnmarshalSection shows it
// within ~10% of skim, or when the format stops making a reader of one
// section scan the others (e.g. a section per file). Then sectionOf
// (codec.go) decodes with unmarshal and validate(only) alone, and this
// file, skimscan.go and skim_test.go go.

import (
	"bytes"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// The contract that keeps this safe is one-sided: skim vouches for a
// document only when decoding it the long way and validating it would give
// the same result without error (FuzzSkimDocument checks this against
// jsontext and validate). It declines anything else: every malformed or
// invalid document, and valid ones outside the shape Marshal writes
// (unknown or repeated members, nulls, escapes in a uid or kind, escaped
// UTF-16 surrogates, nesting deeper than maxSkimDepth). The caller then
// decodes and validates the document the long way, which gives the one
// result and error message of record.

// maxSkimDepth bounds the nesting skim follows (jsontext allows 10,000; a
// profile has 5).
const maxSkimDepth = 64

// skimDocument reads a document in the shape Marshal writes as a reader of
// section only does: the syntax of all of it, the checks of validate(only)
// (every section's name, uid and kind, and the props and secure range of
// section only), and section only decoded in full (through readSection).
// It returns the profile's name, uid and recipients with section only, if
// there is one, as its one section. ok is false when the caller must decode
// and validate the document itself.
//
// The document is doc, or, when more is not nil, doc and what more adds: a
// prefix of the plaintext still being decrypted (secure.Plaintext.Next).
func skimDocument(doc []byte, more func(have int) []byte, only string) (p *Profile, ok bool) {
	if only == "" {
		return nil, false // unmarshal(doc, "") decodes every section in full
	}
	s := skim{b: doc, more: more}
	p = &Profile{}
	var format string
	var seen uint16
	s.space()
	if !s.at('{') || !s.object(func(key []byte) bool {
		var bit uint16
		good := false
		switch string(key) {
		case "format":
			bit = 1
			format, good = s.text()
			good = good && format == Format
		case "name":
			bit = 2
			p.Name, good = s.text()
		case "uid":
			bit = 4
			p.UID, good = s.text()
		case "recipients":
			bit = 8
			p.Recipients, good = s.texts()
		case "sections":
			bit = 16
			good = s.at('[') && s.array(func() bool { return s.section(only) })
		case "version":
			bit = 32
			p.Version, good = s.version()
		case "owners":
			bit = 64
			p.Owners, good = s.texts()
		case "signing":
			bit = 128
			p.Signing, good = s.signing()
		case "signature":
			bit = 256
			_, good = s.text()
		}
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		return good
	}) {
		return nil, false
	}
	s.space()
	if seen&31 != 31 || s.has(s.i) || s.globals != 1 || p.validateHeader() != nil || s.duplicates() {
		return nil, false
	}
	if s.target != nil {
		if p.validateBody(s.target) != nil {
			return nil, false
		}
		p.Sections = []*Section{s.target}
	}
	return p, true
}

// texts skims an array of strings (declining null, which readStrings
// takes as nil).
func (s *skim) texts() ([]string, bool) {
	out := []string{}
	ok := s.at('[') && s.array(func() bool {
		r, ok := s.text()
		out = append(out, r)
		return ok
	})
	return out, ok
}

// version skims a profile version as readVersion reads it.
func (s *skim) version() (int64, bool) {
	start := s.i
	if !s.number() {
		return 0, false
	}
	v, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	return v, err == nil && v >= 0
}

// signing skims the signing block as readSigning reads it, declining
// members it does not know.
func (s *skim) signing() (*Signing, bool) {
	g := &Signing{}
	var seen uint8
	ok := s.at('{') && s.object(func(key []byte) bool {
		var bit uint8
		good := false
		switch string(key) {
		case "key":
			bit = 1
			g.Key, good = s.text()
		case "sealed":
			bit = 2
			var lit []byte
			lit, good = s.lit()
			g.sealed = rawJSON(bytes.Clone(lit))
		case "rotations":
			bit = 4
			good = s.at('[') && s.array(func() bool {
				r, ok := s.rotation()
				g.Rotations = append(g.Rotations, r)
				return ok
			})
		}
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		return good
	})
	return g, ok && seen&3 == 3
}

// rotation skims one rotation object as readSigning reads it.
func (s *skim) rotation() (Rotation, bool) {
	var r Rotation
	var seen uint8
	ok := s.at('{') && s.object(func(key []byte) bool {
		var bit uint8
		good := false
		switch string(key) {
		case "key":
			bit = 1
			r.Key, good = s.text()
		case "by":
			bit = 2
			r.By, good = s.text()
		case "sig":
			bit = 4
			r.Sig, good = s.text()
		}
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		return good
	})
	return r, ok && seen == 7
}

// duplicates reports whether two sections skim read have the same name.
func (s *skim) duplicates() bool {
	all := string(s.names) // one allocation for every key of the map
	seen := make(map[string]struct{}, len(s.ends))
	from := 0
	for _, to := range s.ends {
		name := all[from:to]
		if _, dup := seen[name]; dup {
			return true
		}
		seen[name] = struct{}{}
		from = to
	}
	return false
}

// section skims one section object and checks its name, uid and kind as
// validate does; its props and secure values are only skimmed, unless its
// name is only, in which case the whole object is decoded by readSection.
// Anything unusual declines, escapes in a uid or kind included.
func (s *skim) section(only string) bool {
	start := s.i
	if !s.at('{') {
		return false
	}
	var name, uid, kind []byte
	var seen uint8
	if !s.object(func(key []byte) bool {
		var bit uint8
		ok := true
		switch string(key) {
		case "name":
			bit = 1
			var lit []byte
			if lit, ok = s.lit(); ok {
				name = unquote(lit)
			}
		case "uid":
			bit = 2
			uid, ok = s.bare()
		case "kind":
			bit = 4
			kind, ok = s.bare()
		case "service":
			bit = 8
			_, ok = s.lit()
		case "props":
			bit = 16
			ok = s.value()
		case "secure":
			bit = 32
			ok = s.value()
		case "readers":
			bit = 64
			_, ok = s.texts()
		}
		if bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		return ok
	}) || seen&7 != 7 {
		return false
	}
	if !asciiName(name) && CheckName("section", string(name)) != nil || !validUID(uid) {
		return false
	}
	switch k, ok := knownKind(kind); {
	case !ok:
		return false
	case k == KindGlobal:
		s.globals++
	}
	s.names = append(s.names, name...)
	s.ends = append(s.ends, len(s.names))
	if string(name) != only {
		return true
	}
	if s.target != nil {
		return false // a duplicate: validate says so
	}
	var err error
	d := jsontext.NewDecoder(bytes.NewReader(s.b[start:s.i]), decodeOpts)
	s.target, err = readSection(d, only)
	return err == nil
}

// knownKind returns the kind named b, if it is one of Kinds.
func knownKind(b []byte) (string, bool) {
	for _, k := range Kinds {
		if string(b) == k {
			return k, true
		}
	}
	return "", false
}
