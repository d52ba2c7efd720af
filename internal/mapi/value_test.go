package mapi

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Tags of every supported type, used across the value tests.
const (
	tShort   Tag = 0x70010002
	tLong    Tag = 0x70020003
	tDouble  Tag = 0x70030005
	tBool    Tag = 0x7004000B
	tI8      Tag = 0x70050014
	tString8 Tag = 0x7006001E
	tUnicode Tag = 0x7007001F
	tSysTime Tag = 0x70080040
	tCLSID   Tag = 0x70090048
	tBinary  Tag = 0x700A0102
)

func mv(t Tag) Tag { return NewTag(t.Type()|MvFlag, t.ID()) }

var testGUID = GUID{0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}

func TestParseValue(t *testing.T) {
	tm := time.Date(2024, 3, 1, 12, 30, 45, 123000000, time.UTC)
	tests := []struct {
		tag  Tag
		in   string
		want any
	}{
		{tBool, "true", true}, {tBool, "TRUE", true}, {tBool, "yes", true}, {tBool, "Yes", true}, {tBool, "1", true},
		{tBool, "false", false}, {tBool, "no", false}, {tBool, "0", false}, {tBool, " No ", false},
		{tShort, "32767", int16(32767)}, {tShort, "-32768", int16(-32768)}, {tShort, " 7 ", int16(7)},
		{tLong, "587", int32(587)}, {tLong, "2147483647", int32(math.MaxInt32)}, {tLong, "-2147483648", int32(math.MinInt32)},
		{tLong, "0x10", int32(16)},
		{tI8, "9223372036854775807", int64(math.MaxInt64)}, {tI8, "-1", int64(-1)},
		{tDouble, "1.5", 1.5}, {tDouble, "-2e-3", -2e-3}, {tDouble, "0", 0.0},
		{tString8, "hello", "hello"}, {tUnicode, "Ålice ☃", "Ålice ☃"}, {tUnicode, "", ""},
		{tUnicode, " spaced ", " spaced "},
		{tBinary, "00ff10", []byte{0, 0xff, 0x10}}, {tBinary, "00FF10", []byte{0, 0xff, 0x10}},
		{tBinary, "0x0a0B", []byte{0x0a, 0x0b}}, {tBinary, "", []byte{}},
		{tSysTime, "2024-03-01T12:30:45.123Z", tm}, {tSysTime, "2024-03-01T13:30:45.123+01:00", tm},
		{tCLSID, "12345678-9abc-def0-0123-456789abcdef", testGUID},
		{tCLSID, "{12345678-9ABC-DEF0-0123-456789ABCDEF}", testGUID},
		{mv(tUnicode), `["a","b"]`, []string{"a", "b"}},
		{mv(tString8), `[]`, []string{}},
		{mv(tLong), `["1","-2"]`, []int32{1, -2}},
		{mv(tLong), `[1, 2, 2147483647]`, []int32{1, 2, math.MaxInt32}},
		{mv(tShort), `["5"]`, []int16{5}},
		{mv(tI8), `["9223372036854775807"]`, []int64{math.MaxInt64}},
		{mv(tDouble), `["1.5", 2]`, []float64{1.5, 2}},
		{mv(tBinary), `["00ff",""]`, [][]byte{{0, 0xff}, {}}},
		{mv(tSysTime), `["2024-03-01T12:30:45.123Z"]`, []time.Time{tm}},
		{mv(tCLSID), `["{12345678-9abc-def0-0123-456789abcdef}"]`, []GUID{testGUID}},
	}
	for _, tc := range tests {
		got, err := ParseValue(tc.tag, tc.in)
		if err != nil {
			t.Errorf("ParseValue(%s, %q): %v", tc.tag.Type(), tc.in, err)
			continue
		}
		if !valuesEqual(got, tc.want) {
			t.Errorf("ParseValue(%s, %q) = %#v, want %#v", tc.tag.Type(), tc.in, got, tc.want)
		}
	}
}

func TestParseValueRefused(t *testing.T) {
	tests := []struct {
		tag Tag
		in  string
	}{
		{tBool, "maybe"}, {tBool, "on"}, {tBool, ""}, {tBool, "2"},
		{tShort, "32768"}, {tShort, "-32769"}, {tShort, "1.5"}, {tShort, "seven"},
		{tLong, "2147483648"}, {tLong, "-2147483649"}, {tLong, "99999999999"}, {tLong, ""},
		{tI8, "9223372036854775808"}, {tI8, "12abc"},
		{tDouble, "NaN"}, {tDouble, "Inf"}, {tDouble, "1e400"}, {tDouble, "pi"},
		{tString8, "bad\x00nul"}, {tUnicode, "bad\xffutf8"},
		{tBinary, "abc"}, {tBinary, "zz11"}, {tBinary, "0xg1"},
		{tSysTime, "2024-03-01 12:30:45"}, {tSysTime, "yesterday"}, {tSysTime, "2024-13-01T00:00:00Z"},
		{tCLSID, "12345678-9abc-def0-0123-456789abcde"}, {tCLSID, "12345678-9abc-def0-0123-456789abcdeg"},
		{tCLSID, "123456789abcdef00123456789abcdef"},
		{mv(tUnicode), "notjson"}, {mv(tUnicode), `{"a":1}`}, {mv(tUnicode), `"a"`},
		{mv(tUnicode), `[null]`}, {mv(tUnicode), `[["x"]]`}, {mv(tUnicode), `[{"k":"v"}]`},
		{mv(tLong), `["1","x9"]`}, {mv(tShort), `[40000]`}, {mv(tBinary), `["q1"]`},
		{mv(tLong), `[1.5]`}, {mv(tLong), `[1]]`}, {mv(tLong), `[1] [2]`}, {mv(tUnicode), `[true]`},
		{0x7010000D, "x"},        // PT_OBJECT
		{0x7011100B, `["true"]`}, // PT_MV_BOOLEAN is not supported
		{0x7011100B, `[]`},       // ... not even empty
		{0x7012100D, `[]`},       // PT_MV_OBJECT
		{0x70130006, "1"},        // PT_CURRENCY
		{tUnicode, strings.Repeat("a", MaxValueLen+1)},
	}
	for _, tc := range tests {
		got, err := ParseValue(tc.tag, tc.in)
		if err == nil {
			t.Errorf("ParseValue(%s, %.40q) = %#v, want error", tc.tag.Type(), tc.in, got)
			continue
		}
		checkInvalidParameter(t, err)
		if tc.in != "" && len(tc.in) > 1 && strings.Contains(err.Error(), tc.in) {
			t.Errorf("ParseValue(%s, %.40q): error %q repeats the value", tc.tag.Type(), tc.in, err)
		}
	}
}

// A secret typed for a numeric secure property must not leak into the error.
func TestParseValueErrorHidesSecret(t *testing.T) {
	const secret = "hunter2-S3cret"
	for _, tag := range []Tag{0x67F30003, 0x67F30002, 0x67F3000B, 0x67F30102, 0x67F30040, 0x67F30048,
		0x67F30014, 0x67F30005, 0x67F31003, 0x67F3101F} {
		for _, in := range []string{secret, `["` + secret + `"]`, `[` + secret} {
			_, err := ParseValue(tag, in)
			if tag == 0x67F3101F && in == `["`+secret+`"]` {
				continue // a valid MV string
			}
			if err == nil {
				t.Errorf("ParseValue(%s, %q) succeeded", tag, in)
				continue
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "S3cret") {
				t.Errorf("ParseValue(%s): error %q leaks the value", tag, err)
			}
			var e *Error
			if errors.As(err, &e) {
				for _, h := range e.Hints {
					if strings.Contains(h, "hunter2") {
						t.Errorf("hint %q leaks the value", h)
					}
				}
			}
		}
	}
}

// roundTripValues has a value of every supported type and its MV form.
func roundTripValues() []struct {
	tag Tag
	v   any
} {
	t1 := time.Date(2024, 3, 1, 12, 30, 45, 123456789, time.UTC)
	t2 := time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)
	t3 := time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	g2 := GUID{0xff, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
	return []struct {
		tag Tag
		v   any
	}{
		{tShort, int16(-32768)}, {tShort, int16(32767)}, {tShort, int16(0)},
		{tLong, int32(math.MinInt32)}, {tLong, int32(587)},
		{tDouble, 3.141592653589793}, {tDouble, -1e300}, {tDouble, 5e-324}, {tDouble, 0.1},
		{tBool, true}, {tBool, false},
		{tI8, int64(math.MinInt64)}, {tI8, int64(math.MaxInt64)},
		{tString8, "plain"}, {tUnicode, "Ålice ☃ \"quoted\" \\ \n tab\t"}, {tUnicode, ""},
		{tSysTime, t1}, {tSysTime, t2}, {tSysTime, t3}, {tSysTime, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{tCLSID, testGUID}, {tCLSID, GUID{}},
		{tBinary, []byte{0, 1, 0xfe, 0xff}}, {tBinary, []byte{}},
		{mv(tShort), []int16{-1, 0, 32767}}, {mv(tShort), []int16{}},
		{mv(tLong), []int32{1, math.MaxInt32, math.MinInt32}},
		{mv(tDouble), []float64{0.5, -1e-10, 12345678901234}},
		{mv(tI8), []int64{math.MinInt64, 0, 12345678901234}},
		{mv(tString8), []string{"a", "", "c d"}}, {mv(tUnicode), []string{"☃", `["x"]`}}, {mv(tUnicode), []string{}},
		{mv(tSysTime), []time.Time{t1, t2, t3}},
		{mv(tCLSID), []GUID{testGUID, g2}},
		{mv(tBinary), [][]byte{{1, 2}, {}, {0xff}}},
	}
}

func TestRoundTripEveryType(t *testing.T) {
	seen := map[PropType]bool{}
	for _, tc := range roundTripValues() {
		seen[tc.tag.Type()] = true
		if err := tc.tag.Check(); err != nil {
			t.Fatalf("test tag %s: %v", tc.tag, err)
		}
		raw, err := EncodeJSON(tc.tag, tc.v)
		if err != nil {
			t.Errorf("EncodeJSON(%s, %#v): %v", tc.tag.Type(), tc.v, err)
			continue
		}
		back, err := DecodeJSON(tc.tag, raw)
		if err != nil {
			t.Errorf("DecodeJSON(%s, %s): %v", tc.tag.Type(), raw, err)
		} else if !valuesEqual(back, tc.v) {
			t.Errorf("JSON round trip of %s %#v via %s gave %#v", tc.tag.Type(), tc.v, raw, back)
		}
		text := FormatValue(tc.tag, tc.v)
		back, err = ParseValue(tc.tag, text)
		if err != nil {
			t.Errorf("ParseValue(%s, FormatValue = %q): %v", tc.tag.Type(), text, err)
		} else if !valuesEqual(back, tc.v) {
			t.Errorf("text round trip of %s %#v via %q gave %#v", tc.tag.Type(), tc.v, text, back)
		}
	}
	for typ := PropType(0); typ < 0x2000; typ++ {
		if typ.Supported() && !seen[typ] {
			t.Errorf("no round-trip value for %s", typ)
		}
	}
}

// The JSON forms are those of SPEC §5.
func TestEncodeJSONForms(t *testing.T) {
	tests := []struct {
		tag  Tag
		v    any
		want string
	}{
		{tLong, int32(587), `587`},
		{tShort, int16(-3), `-3`},
		{tI8, int64(12345678901234), `"12345678901234"`},
		{tBool, true, `true`},
		{tDouble, 1.5, `1.5`},
		{tUnicode, "a\"b", `"a\"b"`},
		{tBinary, []byte("hi"), `"aGk="`},
		{tSysTime, time.Date(2024, 3, 1, 13, 0, 0, 0, time.FixedZone("x", 3600)), `"2024-03-01T12:00:00Z"`},
		{tCLSID, testGUID, `"12345678-9abc-def0-0123-456789abcdef"`},
		{mv(tI8), []int64{1, -2}, `["1","-2"]`},
		{mv(tBinary), [][]byte{[]byte("hi")}, `["aGk="]`},
		{mv(tLong), []int32{1, 2}, `[1,2]`},
		{mv(tUnicode), []string{}, `[]`},
	}
	for _, tc := range tests {
		raw, err := EncodeJSON(tc.tag, tc.v)
		if err != nil || string(raw) != tc.want {
			t.Errorf("EncodeJSON(%s, %#v) = %s, %v; want %s", tc.tag.Type(), tc.v, raw, err, tc.want)
		}
	}
}

func TestEncodeJSONWrongType(t *testing.T) {
	tests := []struct {
		tag Tag
		v   any
	}{
		{tLong, 587}, {tLong, int16(1)}, {tShort, int32(1)}, {tI8, int32(1)}, {tBool, "true"},
		{tUnicode, []byte("x")}, {tBinary, "x"}, {tSysTime, "2024-01-01T00:00:00Z"}, {tCLSID, [16]byte{}},
		{mv(tUnicode), "a"}, {mv(tLong), []int{1}}, {mv(tBinary), []byte{1}}, {tDouble, nil},
		{0x7011100B, []bool{true}}, {0x7012000D, "x"},
	}
	for _, tc := range tests {
		if raw, err := EncodeJSON(tc.tag, tc.v); err == nil {
			t.Errorf("EncodeJSON(%s, %#v) = %s, want error", tc.tag.Type(), tc.v, raw)
		}
	}
}

func TestDecodeJSONRefused(t *testing.T) {
	tests := []struct {
		tag Tag
		raw string
	}{
		{tLong, `"587"`}, {tLong, `1.5`}, {tLong, `2147483648`}, {tShort, `32768`}, {tShort, `-32769`},
		{tDouble, `"1"`}, {tDouble, `1e400`}, {tBool, `"true"`}, {tBool, `1`},
		{tI8, `123`}, {tI8, `"9223372036854775808"`}, {tUnicode, `5`}, {tUnicode, `null`},
		{tBinary, `"!!"`}, {tSysTime, `"2024-03-01"`}, {tCLSID, `"not-a-guid"`},
		{mv(tUnicode), `"a"`}, {mv(tUnicode), `[1]`}, {mv(tLong), `["1"]`},
		{0x7011100B, `[true]`}, {0x7011100B, `[]`}, {0x7012100D, `[]`}, {0x7012000D, `{}`},
		{tSysTime, `"0000-01-01T00:00:00+01:00"`}, // would be year -1 in UTC
		{tSysTime, `"9999-12-31T23:30:00-01:00"`}, // would be year 10000 in UTC
	}
	for _, tc := range tests {
		if v, err := DecodeJSON(tc.tag, json.RawMessage(tc.raw)); err == nil {
			t.Errorf("DecodeJSON(%s, %s) = %#v, want error", tc.tag.Type(), tc.raw, v)
		}
	}
}

func TestGUID(t *testing.T) {
	if s := testGUID.String(); s != "12345678-9abc-def0-0123-456789abcdef" {
		t.Errorf("String() = %q", s)
	}
	for _, s := range []string{"", "{}", "12345678-9abc-def0-0123", "1234567-89abc-def0-0123-456789abcdef",
		"12345678-9abc-def0-0123-456789abcdeff", "12345678+9abc-def0-0123-456789abcdef"} {
		if _, err := ParseGUID(s); err == nil {
			t.Errorf("ParseGUID(%q) succeeded", s)
		}
	}
}

// valuesEqual is reflect.DeepEqual, except that times compare with Equal.
func valuesEqual(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []time.Time:
		y, ok := b.([]time.Time)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !x[i].Equal(y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
