package mapi

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseTag(t *testing.T) {
	tests := []struct {
		in    string
		scope Scope
		want  Tag
		ok    bool
	}{
		// hex tags
		{"0x3003001F", ScopeOther, 0x3003001F, true},
		{"0x3003001f", ScopeOther, 0x3003001F, true},
		{"0X3003001F", ScopeOther, 0x3003001F, true},
		{"  0x3003001F\t", ScopeOther, 0x3003001F, true},
		{"0x66020003", ScopeOther, 0x66020003, true}, // hex works in any scope
		{"0x67F1001F", ScopeOther, 0x67F1001F, true},
		{"0x10011102", ScopeOther, 0x10011102, true}, // PT_MV_BINARY
		{"0x0001001F", ScopeOther, 0x0001001F, true}, // lowest ID
		{"0x7FFF0003", ScopeOther, 0x7FFF0003, true}, // highest ID
		{"0x3003001", ScopeOther, 0, false},          // 7 digits
		{"0x3003001F0", ScopeOther, 0, false},        // 9 digits
		{"0x", ScopeOther, 0, false},
		{"0x3003001G", ScopeOther, 0, false},
		{"0x+003001F", ScopeOther, 0, false},
		{"0x0000001F", ScopeOther, 0, false}, // ID 0
		{"0x8000001F", ScopeOther, 0, false}, // named-property range
		{"0xFFFF0003", ScopeOther, 0, false},
		{"0x30030000", ScopeOther, 0, false}, // PT_UNSPECIFIED
		{"0x30030001", ScopeOther, 0, false}, // PT_NULL
		{"0x30030006", ScopeOther, 0, false}, // PT_CURRENCY
		{"0x3003000D", ScopeOther, 0, false}, // PT_OBJECT
		{"0x3003100B", ScopeOther, 0, false}, // PT_MV_BOOLEAN
		{"0x3003201F", ScopeOther, 0, false}, // MV_INSTANCE flag
		// MAPI names
		{"PR_EMAIL_ADDRESS", ScopeOther, 0x3003001F, true},
		{"PR_EMAIL_ADDRESS_W", ScopeOther, 0x3003001F, true},
		{"PR_EMAIL_ADDRESS_A", ScopeOther, 0x3003001E, true},
		{"pr_email_address_a", ScopeOther, 0x3003001E, true},
		{"PR_DISPLAY_NAME_W", ScopeTransport, 0x3001001F, true},
		{"PR_RESOURCE_TYPE", ScopeOther, 0x3E030003, true},
		{"PR_SERVICE_ENTRY_NAME", ScopeOther, 0x3D0B001E, true},
		{"PR_SERVICE_ENTRY_NAME_W", ScopeOther, 0x3D0B001F, true},
		{"PR_RESOURCE_TYPE_W", ScopeOther, 0, false}, // not a string property
		{"PR_SEARCH_KEY_A", ScopeOther, 0, false},
		{"PR_EMAIL_ADDRESS_X", ScopeOther, 0, false},
		{"PR_NO_SUCH_THING", ScopeOther, 0, false},
		{"PR_", ScopeOther, 0, false},
		// aliases
		{"email", ScopeOther, PrEmailAddress, true},
		{"display-name", ScopeOther, PrDisplayName, true},
		{"Display-Name", ScopeOther, PrDisplayName, true},
		{"addrtype", ScopeOther, PrAddrType, true},
		{"smtp.host", ScopeTransport, PrSMTPHost, true},
		{"smtp.port", ScopeTransport, PrSMTPPort, true},
		{"password", ScopeTransport, PrPassword, true},
		{"smtp.host", ScopeOther, 0, false},
		{"transport", ScopeOther, 0, false},
		{"password", ScopeOther, 0, false},
		{"username", ScopeOther, 0, false},
		{"no-such-alias", ScopeTransport, 0, false},
		{"", ScopeTransport, 0, false},
		{"   ", ScopeTransport, 0, false},
	}
	for _, tc := range tests {
		got, err := ParseTag(tc.in, tc.scope)
		if !tc.ok {
			if err == nil {
				t.Errorf("ParseTag(%q, %d) = %s, want error", tc.in, tc.scope, got)
				continue
			}
			checkInvalidParameter(t, err)
			continue
		}
		if err != nil {
			t.Errorf("ParseTag(%q, %d): %v", tc.in, tc.scope, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseTag(%q, %d) = %s, want %s", tc.in, tc.scope, got, tc.want)
		}
	}
}

// checkInvalidParameter fails unless err is an *Error with MAPI_E_INVALID_PARAMETER.
func checkInvalidParameter(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("error %v (%T) is not *mapi.Error", err, err)
		return
	}
	if e.Code != InvalidParameter || e.ExitStatus() != 64 {
		t.Errorf("error %q has code %s exit %d, want MAPI_E_INVALID_PARAMETER 64", e, e.Code.Name, e.ExitStatus())
	}
}

// Every alias resolves in a transport section; in other sections exactly the
// ones outside the provider range do, and refused ones hint at the hex tag.
func TestAliasScopes(t *testing.T) {
	if len(Aliases) != 48 {
		t.Fatalf("len(Aliases) = %d, want the 21 of SPEC §6, the 16 inbound ones of §8 and its 11 OAuth 2.0 ones", len(Aliases))
	}
	for _, a := range Aliases {
		got, err := ParseTag(a.Name, ScopeTransport)
		if err != nil || got != a.Tag {
			t.Errorf("ParseTag(%q, transport) = %s, %v; want %s", a.Name, got, err, a.Tag)
		}
		if err := a.Tag.Check(); err != nil {
			t.Errorf("alias %q: tag %s fails Check: %v", a.Name, a.Tag, err)
		}
		private := a.Tag.ID() >= 0x6600 && a.Tag.ID() <= 0x67FF
		if a.Tag.ProviderPrivate() != private {
			t.Errorf("%s.ProviderPrivate() = %v", a.Tag, !private)
		}
		got, err = ParseTag(a.Name, ScopeOther)
		if private {
			if err == nil {
				t.Errorf("ParseTag(%q, other) = %s, want error", a.Name, got)
				continue
			}
			checkInvalidParameter(t, err)
			var e *Error
			if errors.As(err, &e) && !slices.ContainsFunc(e.Hints, func(h string) bool { return strings.Contains(h, a.Tag.String()) }) {
				t.Errorf("ParseTag(%q, other): hints %q do not mention %s", a.Name, e.Hints, a.Tag)
			}
		} else if err != nil || got != a.Tag {
			t.Errorf("ParseTag(%q, other) = %s, %v; want %s", a.Name, got, err, a.Tag)
		}
		if AliasOf(a.Tag) != a.Name {
			t.Errorf("AliasOf(%s) = %q, want %q", a.Tag, AliasOf(a.Tag), a.Name)
		}
	}
}

func TestTagParts(t *testing.T) {
	tests := []struct {
		tag    Tag
		id     uint16
		typ    PropType
		secure bool
		str    string
		tname  string
	}{
		{PrEmailAddress, 0x3003, PtUnicode, false, "0x3003001F", "PT_UNICODE"},
		{PrSMTPPort, 0x6602, PtLong, false, "0x66020003", "PT_LONG"},
		{0x67EF001F, 0x67EF, PtUnicode, false, "0x67EF001F", "PT_UNICODE"},
		{PrUsername, 0x67F0, PtUnicode, true, "0x67F0001F", "PT_UNICODE"},
		{PrPassword, 0x67F1, PtUnicode, true, "0x67F1001F", "PT_UNICODE"},
		{0x67FF0102, 0x67FF, PtBinary, true, "0x67FF0102", "PT_BINARY"},
		{0x6800001F, 0x6800, PtUnicode, false, "0x6800001F", "PT_UNICODE"},
		{0x67F5101F, 0x67F5, PtUnicode | MvFlag, true, "0x67F5101F", "PT_MV_UNICODE"},
		{0x00010006, 0x0001, PtCurrency, false, "0x00010006", "0x0006"},
	}
	for _, tc := range tests {
		if tc.tag.ID() != tc.id || tc.tag.Type() != tc.typ {
			t.Errorf("%s: ID %04X type %04X, want %04X %04X", tc.tag, tc.tag.ID(), tc.tag.Type(), tc.id, tc.typ)
		}
		if NewTag(tc.typ, tc.id) != tc.tag {
			t.Errorf("NewTag(%04X, %04X) = %s, want %s", tc.typ, tc.id, NewTag(tc.typ, tc.id), tc.tag)
		}
		if tc.tag.Secure() != tc.secure {
			t.Errorf("%s.Secure() = %v, want %v", tc.tag, tc.tag.Secure(), tc.secure)
		}
		if tc.tag.String() != tc.str {
			t.Errorf("String() = %q, want %q", tc.tag.String(), tc.str)
		}
		if tc.tag.Type().String() != tc.tname {
			t.Errorf("%s: type name %q, want %q", tc.tag, tc.tag.Type().String(), tc.tname)
		}
	}
}

func TestSupportedTypes(t *testing.T) {
	want := map[PropType]bool{}
	for _, b := range []PropType{PtShort, PtLong, PtDouble, PtI8, PtString8, PtUnicode, PtSysTime, PtCLSID, PtBinary} {
		want[b], want[b|MvFlag] = true, true
	}
	want[PtBoolean] = true
	for typ := PropType(0); typ < 0x4000; typ++ {
		if typ.Supported() != want[typ] {
			t.Errorf("%s.Supported() = %v, want %v", typ, typ.Supported(), want[typ])
		}
	}
}

func TestNamesAndDisplay(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Error("Names() is not sorted")
	}
	for _, n := range []string{"PR_EMAIL_ADDRESS_W", "PR_EMAIL_ADDRESS_A", "PR_RESOURCE_TYPE", "PR_SEARCH_KEY"} {
		if !slices.Contains(names, n) {
			t.Errorf("Names() lacks %s", n)
		}
	}
	for _, n := range names {
		tag, err := ParseTag(n, ScopeOther)
		if err != nil {
			t.Errorf("ParseTag(%q): %v", n, err)
			continue
		}
		if NameOf(tag) != n {
			t.Errorf("NameOf(ParseTag(%q)) = %q", n, NameOf(tag))
		}
	}
	tests := []struct {
		tag   Tag
		scope Scope
		want  string
	}{
		{PrEmailAddress, ScopeOther, "email"},
		{PrEmailAddress, ScopeTransport, "email"},
		{0x3003001E, ScopeOther, "PR_EMAIL_ADDRESS_A"},
		{PrSMTPHost, ScopeTransport, "smtp.host"},
		{PrSMTPHost, ScopeOther, "0x6601001F"},
		{PrResourceType, ScopeOther, "PR_RESOURCE_TYPE"},
		{0x7000001F, ScopeOther, "0x7000001F"},
	}
	for _, tc := range tests {
		if got := DisplayName(tc.tag, tc.scope); got != tc.want {
			t.Errorf("DisplayName(%s, %d) = %q, want %q", tc.tag, tc.scope, got, tc.want)
		}
	}
}
