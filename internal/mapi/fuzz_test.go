package mapi

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParseTag: ParseTag never panics, fails only with an *Error of
// MAPI_E_INVALID_PARAMETER, and a tag it returns passes Check and parses
// back from its String form.
func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"0x3003001F", "0x3003001f", "0X66020003", "0x0000001F", "0x8000001F",
		"0x3003000D", "0x3003100B", "PR_EMAIL_ADDRESS", "PR_EMAIL_ADDRESS_W", "pr_email_address_a",
		"PR_RESOURCE_TYPE_W", "email", "smtp.host", "password", "", " ", "0x", "PR_", "ſmtp.host"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, other bool) {
		scope := ScopeTransport
		if other {
			scope = ScopeOther
		}
		tag, err := ParseTag(s, scope)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != InvalidParameter {
				t.Fatalf("ParseTag(%q): error %v is not MAPI_E_INVALID_PARAMETER", s, err)
			}
			return
		}
		if err := tag.Check(); err != nil {
			t.Fatalf("ParseTag(%q) = %s, which fails Check: %v", s, tag, err)
		}
		back, err := ParseTag(tag.String(), ScopeOther)
		if err != nil || back != tag {
			t.Fatalf("ParseTag(%q) = %s; ParseTag(String()) = %s, %v", s, tag, back, err)
		}
		if other && tag.ProviderPrivate() && AliasOf(tag) != "" && DisplayName(tag, ScopeOther) == AliasOf(tag) {
			t.Fatalf("provider-range alias %q shown in another section", AliasOf(tag))
		}
	})
}

// fuzzTags are the tags FuzzParseValue and FuzzDecodeJSON pick from.
var fuzzTags = []Tag{tShort, tLong, tDouble, tBool, tI8, tUnicode, tSysTime, tCLSID, tBinary,
	mv(tLong), mv(tUnicode), mv(tSysTime), mv(tBinary), mv(tI8), mv(tCLSID), 0x7011100B, 0x7012000D}

// FuzzParseValue: ParseValue never panics, fails only with
// MAPI_E_INVALID_PARAMETER, and what it accepts prints with FormatValue to a
// text that parses back to an equal value.
func FuzzParseValue(f *testing.F) {
	seeds := []struct {
		i int
		s string
	}{
		{0, "32767"}, {0, "-32769"}, {1, "587"}, {1, "0x10"}, {1, "010"}, {2, "1.5"}, {2, "-0"}, {2, "1e400"},
		{3, "yes"}, {3, "0"}, {4, "-9223372036854775808"}, {5, "Ålice"}, {5, "a\x00b"},
		{6, "2024-03-01T12:30:45.123+01:00"}, {6, "0000-01-01T00:00:00+01:00"},
		{7, "{12345678-9ABC-DEF0-0123-456789ABCDEF}"}, {8, "0x00ff"}, {8, ""},
		{9, `[1, "2", 2147483648]`}, {9, `[1e7]`}, {10, `["a", null]`}, {10, `["a","b"]`}, {10, `null`},
		{11, `["2024-03-01T12:30:45Z"]`}, {12, `["00ff", ""]`}, {13, `["1"]`},
		{14, `["12345678-9abc-def0-0123-456789abcdef"]`}, {15, `["true"]`}, {16, "x"},
	}
	for _, sd := range seeds {
		f.Add(uint8(sd.i), sd.s)
	}
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		tag := fuzzTags[int(i)%len(fuzzTags)]
		v, err := ParseValue(tag, s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != InvalidParameter {
				t.Fatalf("ParseValue(%s, %q): error %v is not MAPI_E_INVALID_PARAMETER", tag, s, err)
			}
			return
		}
		if err := CheckType(tag, v); err != nil {
			t.Fatalf("ParseValue(%s, %q) = %#v: %v", tag, s, v, err)
		}
		text := FormatValue(tag, v)
		back, err := ParseValue(tag, text)
		if err != nil {
			t.Fatalf("ParseValue(%s, %q) = %#v; FormatValue = %q does not parse: %v", tag, s, v, text, err)
		}
		if !valuesEqual(back, v) {
			t.Fatalf("ParseValue(%s, %q) = %#v; via %q back to %#v", tag, s, v, text, back)
		}
	})
}

// FuzzDecodeJSON: DecodeJSON never panics, and what it accepts encodes with
// EncodeJSON to JSON that decodes to an equal value.
func FuzzDecodeJSON(f *testing.F) {
	seeds := []struct {
		i int
		s string
	}{
		{0, `-3`}, {0, `1.0`}, {1, `587`}, {1, `2147483648`}, {2, `1e-300`}, {3, `true`}, {3, `null`},
		{4, `"9223372036854775807"`}, {5, `"Ålice \u0000 \ud800"`}, {6, `"2024-03-01T12:30:45.123456789+01:00"`},
		{6, `"0000-01-01T00:00:00+01:00"`}, {7, `"{12345678-9abc-def0-0123-456789abcdef}"`}, {8, `"aGk="`},
		{8, `""`}, {9, `[1,2]`}, {9, `null`}, {10, `["a",""]`}, {11, `["2024-03-01T12:30:45Z"]`},
		{12, `["aGk=",""]`}, {13, `["1"]`}, {14, `["12345678-9abc-def0-0123-456789abcdef"]`},
		{15, `[true]`}, {15, `[]`}, {16, `{}`},
	}
	for _, sd := range seeds {
		f.Add(uint8(sd.i), []byte(sd.s))
	}
	f.Fuzz(func(t *testing.T, i uint8, raw []byte) {
		tag := fuzzTags[int(i)%len(fuzzTags)]
		v, err := DecodeJSON(tag, raw)
		if err != nil {
			return
		}
		enc, err := EncodeJSON(tag, v)
		if err != nil {
			t.Fatalf("DecodeJSON(%s, %q) = %#v, which does not encode: %v", tag, raw, v, err)
		}
		if !json.Valid(enc) {
			t.Fatalf("EncodeJSON gave invalid JSON %q", enc)
		}
		back, err := DecodeJSON(tag, enc)
		if err != nil {
			t.Fatalf("DecodeJSON(%s, %q) = %#v; encoded as %s it does not decode: %v", tag, raw, v, enc, err)
		}
		if !valuesEqual(back, v) {
			t.Fatalf("DecodeJSON(%s, %q) = %#v; via %s back to %#v", tag, raw, v, enc, back)
		}
	})
}
