package prf

import (
	"encoding/hex"
	"strconv"
	"strings"
)

var typeNames = map[string]uint16{
	"PT_LONG":    PTLong,
	"PT_BOOLEAN": PTBoolean,
	"PT_STRING8": PTString8,
	"PT_UNICODE": PTUnicode,
	"PT_BINARY":  PTBinary,
}

func typeName(t uint16) string {
	for n, v := range typeNames {
		if v == t {
			return n
		}
	}
	return "0x" + strconv.FormatUint(uint64(t), 16)
}

// parseMappingValue parses `PT_TYPE,0xNNNN` into a property tag. The number
// is a 16-bit property ID (tag = id<<16 | type) or, when above 0xFFFF, a
// 32-bit tag written type-first (low 16 bits the ID, high 16 the type, which
// must match PT_TYPE). IDs 0x0000, 0xFFFF and named IDs (>= 0x8000) are
// refused. It returns "" or a message.
func parseMappingValue(v string) (uint32, string) {
	tn, num, ok := strings.Cut(v, ",")
	if !ok {
		return 0, "mapping must be PT_TYPE,0xID"
	}
	typ, ok := typeNames[strings.ToUpper(strings.TrimSpace(tn))]
	if !ok {
		return 0, "unsupported property type " + strconv.Quote(strings.TrimSpace(tn))
	}
	num = strings.TrimSpace(num)
	if len(num) < 3 || num[0] != '0' || (num[1] != 'x' && num[1] != 'X') {
		return 0, "property number must be hex with a 0x prefix"
	}
	n, err := strconv.ParseUint(num[2:], 16, 32)
	if err != nil {
		return 0, "property number " + strconv.Quote(num) + " is not a 32-bit hex number"
	}
	id := uint32(n)
	if n > 0xFFFF {
		if got := uint16(n >> 16); got != typ {
			return 0, "type-first tag " + num + " has type " + typeName(got) + ", not " + typeName(typ)
		}
		id = uint32(n & 0xFFFF)
	}
	if id == 0 || id == 0xFFFF || id >= 0x8000 {
		return 0, "property ID " + num + " is reserved or named, not allowed in a profile section"
	}
	return id<<16 | uint32(typ), ""
}

// parseValue parses a non-empty value for a property of type typ:
// strings as they are; PT_LONG decimal (int32) or 0x hex (32 bits, two's
// complement); PT_BOOLEAN yes/no/true/false/1/0; PT_BINARY hex with an
// optional 0x. The message it returns never quotes the value.
func parseValue(typ uint16, v string) (any, string) {
	switch typ {
	case PTString8, PTUnicode:
		return v, ""
	case PTLong:
		return parseLong(v)
	case PTBoolean:
		b, ok := parseBool(v)
		if !ok {
			return nil, "PT_BOOLEAN value must be Yes, No, True, False, 1 or 0"
		}
		return b, ""
	case PTBinary:
		h := v
		if len(h) >= 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X') {
			h = h[2:]
		}
		b, err := hex.DecodeString(h)
		if err != nil || len(b) == 0 {
			return nil, "PT_BINARY value must be an even number of hex digits"
		}
		return b, ""
	}
	return nil, "unsupported property type " + typeName(typ)
}

func parseLong(v string) (any, string) {
	if len(v) > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') {
		n, err := strconv.ParseUint(v[2:], 16, 32)
		if err != nil {
			return nil, "PT_LONG value is not a 32-bit hex number"
		}
		return int32(uint32(n)), ""
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return nil, "PT_LONG value is not a 32-bit decimal or 0x hex number"
	}
	return int32(n), ""
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "yes", "true", "1":
		return true, true
	case "no", "false", "0":
		return false, true
	}
	return false, false
}

// mapKey is one `Key=PT_TYPE,0xNNNN` line of a mapping section.
type mapKey struct {
	key  string
	tag  uint32
	line int
}

// mapping is a resolved section-6 (service) or section-7 (account) mapping.
type mapping struct {
	sec                               *section
	serviceName, sectionGUID, mdbGUID string
	accountType                       string
	keys                              map[string]mapKey // folded key
}

// readMapping reads a mapping section. special handles the keys that are
// settings of the mapping itself (ServiceName=, AccountType=, ...) and
// reports whether it did; every other key must be a valid mapping value.
func readMapping(s *section, special func(e entry) (bool, *Error)) (*mapping, *Error) {
	m := &mapping{sec: s, keys: map[string]mapKey{}}
	for _, e := range s.entries {
		done, err := special(e)
		if err != nil {
			return nil, err
		}
		if done {
			continue
		}
		tag, msg := parseMappingValue(e.value)
		if msg != "" {
			return nil, errorf(s.name, e.line, "key %q: %s", e.key, msg)
		}
		m.keys[fold(e.key)] = mapKey{key: e.key, tag: tag, line: e.line}
	}
	return m, nil
}

// parseGUID checks a 32-hex-digit section or store GUID and lower-cases it.
func parseGUID(v string) (string, bool) {
	if len(v) != 32 {
		return "", false
	}
	if _, err := hex.DecodeString(v); err != nil {
		return "", false
	}
	return strings.ToLower(v), true
}
