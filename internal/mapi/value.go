package mapi

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Values in memory, by type: PT_SHORT int16, PT_LONG int32, PT_DOUBLE
// float64, PT_BOOLEAN bool, PT_I8 int64, PT_STRING8 and PT_UNICODE string,
// PT_SYSTIME time.Time (UTC), PT_CLSID GUID, PT_BINARY []byte; a PT_MV_ type
// is a slice of its base type ([]string, [][]byte, ...).

// MaxValueLen bounds one string or binary value (bytes).
const MaxValueLen = 1 << 20

// DecodeJSON decodes a value as it appears in a profile file (SPEC §5) for
// tag t. Errors are plain (the caller decides the MAPI code).
func DecodeJSON(t Tag, raw json.RawMessage) (any, error) {
	if !t.Type().Supported() {
		return nil, fmt.Errorf("%s: unsupported type %s", t, t.Type())
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("%s: malformed JSON value", t)
	}
	return DecodeValue(t, v)
}

// DecodeValue converts v, a value in the shape encoding/json gives an any
// (string, float64, bool, nil, []any, map[string]any), to the Go value of
// t's property type, with the checks of DecodeJSON. Errors are plain.
func DecodeValue(t Tag, v any) (any, error) {
	if !t.Type().Supported() {
		return nil, fmt.Errorf("%s: unsupported type %s", t, t.Type())
	}
	if v == nil {
		return nil, fmt.Errorf("%s: value is null", t)
	}
	if t.Type()&MvFlag != 0 {
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: want an array", t)
		}
		base := NewTag(t.Type()&^MvFlag, t.ID())
		vals := make([]any, len(items))
		for i, it := range items {
			v, err := DecodeValue(base, it)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		return makeSlice(base.Type(), vals), nil
	}
	switch t.Type() {
	case PtString8, PtUnicode, PtI8, PtSysTime, PtBinary, PtCLSID:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: want a string", t)
		}
		return decodeString(t, s)
	case PtBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s: want true or false", t)
		}
		return b, nil
	case PtShort, PtLong, PtDouble:
		f, ok := v.(float64)
		if !ok {
			return nil, fmt.Errorf("%s: want a number", t)
		}
		return fromNumber(t, f)
	}
	return nil, fmt.Errorf("%s: unsupported type %s", t, t.Type())
}

func decodeString(t Tag, s string) (any, error) {
	if len(s) > MaxValueLen {
		return nil, fmt.Errorf("%s: value too long", t)
	}
	switch t.Type() {
	case PtString8, PtUnicode:
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%s: not valid UTF-8", t)
		}
		return s, nil
	case PtI8:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: want a decimal 64-bit integer", t)
		}
		return n, nil
	case PtSysTime:
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("%s: want an RFC 3339 time", t)
		}
		if tm = tm.UTC(); tm.Year() < 0 || tm.Year() > 9999 {
			return nil, fmt.Errorf("%s: time out of range", t)
		}
		return tm, nil
	case PtBinary:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%s: want base64", t)
		}
		return b, nil
	case PtCLSID:
		g, err := ParseGUID(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", t, err)
		}
		return g, nil
	}
	return nil, fmt.Errorf("%s: unsupported type %s", t, t.Type())
}

func fromNumber(t Tag, f float64) (any, error) {
	switch t.Type() {
	case PtDouble:
		return f, nil
	case PtShort:
		if f != math.Trunc(f) || f < math.MinInt16 || f > math.MaxInt16 {
			return nil, fmt.Errorf("%s: want a 16-bit integer", t)
		}
		return int16(f), nil
	default:
		if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return nil, fmt.Errorf("%s: want a 32-bit integer", t)
		}
		return int32(f), nil
	}
}

// EncodeJSON encodes v, a value of t's Go type, in the profile-file form.
func EncodeJSON(t Tag, v any) (json.RawMessage, error) {
	if err := CheckType(t, v); err != nil {
		return nil, err
	}
	return json.Marshal(jsonForm(v))
}

func jsonForm(v any) any {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case GUID:
		return x.String()
	case []int64, []time.Time, [][]byte, []GUID:
		items := sliceItems(v)
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = jsonForm(it)
		}
		return out
	}
	return v
}

// CheckType reports whether v has the Go type of t's property type.
func CheckType(t Tag, v any) error {
	ok := false
	switch t.Type() {
	case PtShort:
		_, ok = v.(int16)
	case PtLong:
		_, ok = v.(int32)
	case PtDouble:
		_, ok = v.(float64)
	case PtBoolean:
		_, ok = v.(bool)
	case PtI8:
		_, ok = v.(int64)
	case PtString8, PtUnicode:
		_, ok = v.(string)
	case PtSysTime:
		_, ok = v.(time.Time)
	case PtCLSID:
		_, ok = v.(GUID)
	case PtBinary:
		_, ok = v.([]byte)
	case PtShort | MvFlag:
		_, ok = v.([]int16)
	case PtLong | MvFlag:
		_, ok = v.([]int32)
	case PtDouble | MvFlag:
		_, ok = v.([]float64)
	case PtI8 | MvFlag:
		_, ok = v.([]int64)
	case PtString8 | MvFlag, PtUnicode | MvFlag:
		_, ok = v.([]string)
	case PtSysTime | MvFlag:
		_, ok = v.([]time.Time)
	case PtCLSID | MvFlag:
		_, ok = v.([]GUID)
	case PtBinary | MvFlag:
		_, ok = v.([][]byte)
	}
	if !ok {
		return fmt.Errorf("%s: value of type %T does not fit %s", t, v, t.Type())
	}
	return nil
}

// ParseValue parses a value as typed on the command line for tag t:
// booleans true/false/yes/no/1/0, binary as hex, times as RFC 3339, GUIDs
// with or without braces; a multi-valued type takes a JSON array of such
// texts (e.g. '["a","b"]'). Errors are MAPI_E_INVALID_PARAMETER and never
// repeat the value.
func ParseValue(t Tag, s string) (any, error) {
	v, err := parseValue(t, s)
	if err != nil {
		return nil, Errorf(InvalidParameter, "invalid value for %s (%s): %v", DisplayName(t, ScopeTransport), t.Type(), err)
	}
	return v, nil
}

func parseValue(t Tag, s string) (any, error) {
	if len(s) > MaxValueLen {
		return nil, fmt.Errorf("too long")
	}
	if !t.Type().Supported() {
		return nil, fmt.Errorf("unsupported type %s", t.Type())
	}
	if t.Type()&MvFlag != 0 {
		var items []any
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		if !json.Valid([]byte(s)) || d.Decode(&items) != nil {
			return nil, fmt.Errorf("want a JSON array")
		}
		base := NewTag(t.Type()&^MvFlag, t.ID())
		vals := make([]any, len(items))
		for i, it := range items {
			var str string
			switch x := it.(type) {
			case string:
				str = x
			case json.Number:
				str = x.String()
			default:
				return nil, fmt.Errorf("item %d: want a string or a number", i+1)
			}
			v, err := parseValue(base, str)
			if err != nil {
				return nil, fmt.Errorf("item %d: %v", i+1, err)
			}
			vals[i] = v
		}
		return makeSlice(base.Type(), vals), nil
	}
	switch t.Type() {
	case PtString8, PtUnicode:
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return nil, fmt.Errorf("not valid text")
		}
		return s, nil
	case PtBoolean:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "1":
			return true, nil
		case "false", "no", "0":
			return false, nil
		}
		return nil, fmt.Errorf("want true/false, yes/no or 1/0")
	case PtShort:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 16)
		if err != nil {
			return nil, fmt.Errorf("want a 16-bit integer")
		}
		return int16(n), nil
	case PtLong:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 32)
		if err != nil {
			return nil, fmt.Errorf("want a 32-bit integer")
		}
		return int32(n), nil
	case PtI8:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64)
		if err != nil {
			return nil, fmt.Errorf("want a 64-bit integer")
		}
		return n, nil
	case PtDouble:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("want a number")
		}
		return f, nil
	case PtBinary:
		b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
		if err != nil {
			return nil, fmt.Errorf("want hex digits")
		}
		return b, nil
	case PtSysTime, PtCLSID:
		return decodeString(t, strings.TrimSpace(s))
	}
	return nil, fmt.Errorf("unsupported type %s", t.Type())
}

// FormatValue renders v for text output: the command-line form ParseValue
// accepts, so that a printed value can be typed back.
func FormatValue(t Tag, v any) string {
	switch x := v.(type) {
	case []byte:
		return hex.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		return x
	case GUID:
		return x.String()
	}
	if t.Type()&MvFlag != 0 {
		items := sliceItems(v)
		out := make([]string, len(items))
		base := NewTag(t.Type()&^MvFlag, t.ID())
		for i, it := range items {
			out[i] = FormatValue(base, it)
		}
		b, _ := json.Marshal(out)
		return string(b)
	}
	return fmt.Sprint(v)
}

// JSONValue is v in a form for -o json output: strings, numbers, bools,
// arrays (binary as base64, I8 as decimal string, as in the file).
func JSONValue(v any) any { return jsonForm(v) }
