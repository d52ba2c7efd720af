package mapi

import (
	"fmt"
	"strconv"
	"strings"
)

// PropType is the low 16 bits of a property tag.
type PropType uint16

// Property types (mapidefs.h).
const (
	PtUnspecified PropType = 0x0000
	PtNull        PropType = 0x0001
	PtShort       PropType = 0x0002
	PtLong        PropType = 0x0003
	PtFloat       PropType = 0x0004
	PtDouble      PropType = 0x0005
	PtCurrency    PropType = 0x0006
	PtAppTime     PropType = 0x0007
	PtError       PropType = 0x000A
	PtBoolean     PropType = 0x000B
	PtObject      PropType = 0x000D
	PtI8          PropType = 0x0014
	PtString8     PropType = 0x001E
	PtUnicode     PropType = 0x001F
	PtSysTime     PropType = 0x0040
	PtCLSID       PropType = 0x0048
	PtBinary      PropType = 0x0102

	// MvFlag marks a multi-valued type.
	MvFlag PropType = 0x1000
)

var typeNames = map[PropType]string{
	PtShort: "PT_SHORT", PtLong: "PT_LONG", PtDouble: "PT_DOUBLE",
	PtBoolean: "PT_BOOLEAN", PtI8: "PT_I8", PtString8: "PT_STRING8", PtUnicode: "PT_UNICODE",
	PtSysTime: "PT_SYSTIME", PtCLSID: "PT_CLSID", PtBinary: "PT_BINARY",
}

// Supported reports whether mapictl can store values of type t: the
// single-valued types of typeNames and their multi-valued forms.
func (t PropType) Supported() bool {
	base := t &^ MvFlag
	if _, ok := typeNames[base]; !ok {
		return false
	}
	return t&MvFlag == 0 || base != PtBoolean
}

// String returns the type's MAPI name, e.g. "PT_UNICODE" or "PT_MV_LONG".
func (t PropType) String() string {
	base, ok := typeNames[t&^MvFlag]
	if !ok {
		return fmt.Sprintf("0x%04X", uint16(t))
	}
	if t&MvFlag != 0 {
		return "PT_MV_" + strings.TrimPrefix(base, "PT_")
	}
	return base
}

// Secure property ID range (PROP_ID_SECURE_MIN..PROP_ID_SECURE_MAX).
const (
	SecureMin = 0x67F0
	SecureMax = 0x67FF
)

// Tag is a 32-bit MAPI property tag: ID in the high 16 bits, type in the low.
type Tag uint32

// NewTag is PROP_TAG(type, id).
func NewTag(t PropType, id uint16) Tag { return Tag(uint32(id)<<16 | uint32(t)) }

// ID is PROP_ID.
func (t Tag) ID() uint16 { return uint16(t >> 16) }

// Type is PROP_TYPE.
func (t Tag) Type() PropType { return PropType(t & 0xFFFF) }

// Secure reports whether the tag lies in the secure range 0x67F0–0x67FF.
func (t Tag) Secure() bool { return t.ID() >= SecureMin && t.ID() <= SecureMax }

// ProviderPrivate reports whether the tag lies in 0x6600–0x67FF, whose IDs
// belong to each provider (mapictl's aliases apply only in its own sections).
func (t Tag) ProviderPrivate() bool { return t.ID() >= 0x6600 && t.ID() <= 0x67FF }

// String formats the tag as "0x" and 8 upper-case hex digits, the form used
// as a key in profile files.
func (t Tag) String() string {
	const digits = "0123456789ABCDEF"
	b := [10]byte{'0', 'x'}
	for i := range 8 {
		b[9-i] = digits[uint32(t)>>(4*i)&0xF]
	}
	return string(b[:])
}

// ParseHexTag parses "0x3003001F" (case-insensitive, exactly 8 hex digits)
// and checks the ID and type are usable in a profile section: ID 0x0001–0x7FFF
// (no named properties) and a supported type. Errors are *Error with
// MAPI_E_INVALID_PARAMETER.
func ParseHexTag(s string) (Tag, error) {
	if len(s) != 10 || (s[:2] != "0x" && s[:2] != "0X") {
		return 0, Errorf(InvalidParameter, "malformed property tag %q: want 0x and 8 hex digits", clip(s))
	}
	n, err := strconv.ParseUint(s[2:], 16, 32)
	if err != nil {
		return 0, Errorf(InvalidParameter, "malformed property tag %q: want 0x and 8 hex digits", clip(s))
	}
	t := Tag(n)
	if err := t.Check(); err != nil {
		return 0, err
	}
	return t, nil
}

// Check reports whether the tag may be stored in a profile section.
func (t Tag) Check() error {
	if t.ID() == 0 || t.ID() >= 0x8000 {
		return Errorf(InvalidParameter, "property tag %s: ID 0x%04X is not allowed in a profile section", t, t.ID())
	}
	if !t.Type().Supported() {
		return Errorf(InvalidParameter, "property tag %s: type %s is not supported", t, t.Type())
	}
	return nil
}

// clip shortens user input quoted in an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
