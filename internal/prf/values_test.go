package prf

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	getenv := env(map[string]string{"USERNAME": "alice", "A": "x%B%", "B": "b", "EMPTY": ""})
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"%USERNAME%", "alice"},
		{"%username%@corp", "alice@corp"}, // Windows names ignore case
		{"hello%bar%world", "hello%bar%world"},
		{"hello%USERNAME", "hello%USERNAME"},
		{"100% %USERNAME%", "100% alice"},
		{"%%USERNAME%", "%alice"},
		{"50%%", "50%%"},
		{"%A%", "x%B%"}, // one pass: values are not expanded again
		{"[%EMPTY%]", "[]"},
		{"%NOPE%%USERNAME%", "%NOPE%alice"},
		{"%", "%"},
	}
	for _, tt := range tests {
		if got := expand(tt.in, getenv); got != tt.want {
			t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := expand("%USERNAME%", nil); got != "%USERNAME%" {
		t.Errorf("nil getenv expanded: %q", got)
	}
}

func TestOSEnv(t *testing.T) {
	t.Setenv("PRF_TEST_VAR", "v")
	t.Setenv("USER", "bob")
	t.Setenv("USERNAME", "")
	if v, ok := OSEnv("prf_test_var"); !ok || v != "v" {
		t.Errorf("case-insensitive lookup: %q %v", v, ok)
	}
	if v, ok := OSEnv("USERNAME"); !ok || v != "" {
		t.Errorf("a set USERNAME wins, even empty: %q %v", v, ok)
	}
	os.Unsetenv("USERNAME") // t.Setenv restores it
	if v, ok := OSEnv("USERNAME"); !ok || v != "bob" {
		t.Errorf("USERNAME does not fall back to $USER: %q %v", v, ok)
	}
	if v, ok := OSEnv("PRF_TEST_UNSET_VAR"); ok {
		t.Errorf("unset variable found: %q", v)
	}
}

func TestParseMappingValue(t *testing.T) {
	tests := []struct {
		in  string
		tag uint32
		err string
	}{
		{"PT_STRING8,0x6600", 0x6600001E, ""},
		{"pt_unicode , 0x6622", 0x6622001F, ""},
		{"PT_LONG,0x041f", 0x041F0003, ""},
		{"PT_BOOLEAN,0x6613", 0x6613000B, ""},
		{"PT_BINARY,0x67F1", 0x67F10102, ""},
		{"PT_STRING8,0x001e3001", 0x3001001E, ""},
		{"PT_LONG,0x00036601", 0x66010003, ""},
		{"PT_BINARY,0x01020FFF", 0x0FFF0102, ""},
		{"PT_STRING8,0x00006600", 0x6600001E, ""},
		{"PT_STRING8,0x001f3001", 0, "has type PT_UNICODE, not PT_STRING8"},
		{"PT_STRING8", 0, "PT_TYPE,0xID"},
		{"PT_STRING8,6600", 0, "0x prefix"},
		{"PT_STRING8,0x", 0, "0x prefix"},
		{"PT_STRING8,0xZZ", 0, "not a 32-bit hex"},
		{"PT_STRING8,0x1001e3001", 0, "not a 32-bit hex"},
		{"PT_STRING8,0x0", 0, "reserved"},
		{"PT_STRING8,0xFFFF", 0, "reserved"},
		{"PT_STRING8,0x8000", 0, "named"},
		{"PT_I2,0x6600", 0, "unsupported property type"},
	}
	for _, tt := range tests {
		tag, msg := parseMappingValue(tt.in)
		if tag != tt.tag || (tt.err == "") != (msg == "") || !strings.Contains(msg, tt.err) {
			t.Errorf("parseMappingValue(%q) = %#x, %q; want %#x, %q", tt.in, tag, msg, tt.tag, tt.err)
		}
	}
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		typ  uint16
		in   string
		want any // nil: error
	}{
		{PTString8, "a b", "a b"},
		{PTUnicode, "Jürgen", "Jürgen"},
		{PTLong, "587", int32(587)},
		{PTLong, "-1", int32(-1)},
		{PTLong, "0x50000000", int32(0x50000000)},
		{PTLong, "0XFFFFFFFF", int32(-1)},
		{PTLong, "2147483648", nil},
		{PTLong, "0x100000000", nil},
		{PTLong, "1_000", nil},
		{PTLong, "twelve", nil},
		{PTBoolean, "Yes", true},
		{PTBoolean, "FALSE", false},
		{PTBoolean, "1", true},
		{PTBoolean, "0", false},
		{PTBoolean, "2", nil},
		{PTBinary, "0a0B", []byte{0x0a, 0x0b}},
		{PTBinary, "0x01", []byte{0x01}},
		{PTBinary, "abc", nil},
		{PTBinary, "0x", nil},
		{0x0040, "x", nil},
	}
	for _, tt := range tests {
		got, msg := parseValue(tt.typ, tt.in)
		if tt.want == nil {
			if msg == "" || got != nil {
				t.Errorf("parseValue(%#x, %q) = %v, want an error", tt.typ, tt.in, got)
			}
			continue
		}
		if msg != "" || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseValue(%#x, %q) = %#v, %q; want %#v", tt.typ, tt.in, got, msg, tt.want)
		}
	}
}

func TestINIDetails(t *testing.T) {
	text := "\ufeff; a comment\r\n  [ Service List ]  ; trailing comment\r\n" +
		" Service1 = \"LDAP Directory\" \r\n\tKey\t=\t'quoted' \r\nA=x;y\r\n"
	f, err := parseINI(text[len("\ufeff"):])
	if err != nil {
		t.Fatal(err)
	}
	s := f.section("service list")
	if s == nil || s.name != "Service List" || s.line != 2 {
		t.Fatalf("section: %+v", s)
	}
	want := []entry{{"Service1", "LDAP Directory", 3}, {"Key", "quoted", 4}, {"A", "x;y", 5}}
	if !reflect.DeepEqual(s.entries, want) {
		t.Errorf("entries %+v, want %+v", s.entries, want)
	}
	if i, ok := s.byKey["service1"]; !ok || i != 0 {
		t.Errorf("key index ignoring case: %d %v", i, ok)
	}
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"utf8", []byte("M\xc3\xbcller"), "Müller"},
		{"utf8 BOM", []byte("\xef\xbb\xbfM\xc3\xbcller"), "Müller"},
		{"cp1252", []byte("M\xfcller \x80"), "Müller €"},
		{"utf16le", []byte("\xff\xfeM\x00\xfc\x00\xac\x20"), "Mü€"},
		{"utf16be", []byte("\xfe\xff\x00M\x00\xfc\x20\xac"), "Mü€"},
	}
	for _, tt := range tests {
		got, err := decodeText(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
