package mapi

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewID(t *testing.T) {
	base := time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 200 {
		id := NewID(base.Add(time.Duration(i) * time.Millisecond))
		if len(id) != IDLen || IDLen != 26 {
			t.Fatalf("NewID = %q: length %d, want 26", id, len(id))
		}
		if !ValidID(id) || CheckID("session", id) != nil {
			t.Fatalf("NewID = %q is not a valid ID", id)
		}
		ids = append(ids, id)
	}
	if !slices.IsSorted(ids) {
		t.Errorf("IDs made 1 ms apart do not sort by time: %q", ids)
	}
	later := NewID(base.Add(365 * 24 * time.Hour))
	if later <= ids[len(ids)-1] {
		t.Errorf("ID a year later %q sorts before %q", later, ids[len(ids)-1])
	}
	// The random part differs between IDs of the same millisecond.
	a, b := NewID(base), NewID(base)
	if a[:10] != b[:10] {
		t.Errorf("same-millisecond IDs have different time prefixes: %q %q", a, b)
	}
	if a == b {
		t.Errorf("two IDs are equal: %q", a)
	}
}

func TestValidID(t *testing.T) {
	good := "0123456789abcdefghijklmnop"
	tests := []struct {
		in   string
		want bool
	}{
		{good, true},
		{strings.Repeat("z", 26), true},
		{strings.Repeat("0", 26), true},
		{"", false},
		{good[:25], false},
		{good + "q", false},
		{"0123456789ABCDEFGHIJKLMNOP", false},
		{"0123456789abcdefghijklmnoP", false},
		{"../x", false},
		{"../" + good[3:], false},
		{"0123456789abcdefghijklmn/p", false},
		{"0123456789abcdefghijklmn.p", false},
		{"0123456789abcdefghijklmn-p", false},
		{"0123456789abcdefghijklmn\x00p", false},
		{"0123456789abcdefghijklmné", false}, // 26 bytes, one non-ASCII rune
	}
	for _, tc := range tests {
		if got := ValidID(tc.in); got != tc.want {
			t.Errorf("ValidID(%q) = %v, want %v", tc.in, got, tc.want)
		}
		err := CheckID("message", tc.in)
		if (err == nil) != tc.want {
			t.Errorf("CheckID(%q) = %v", tc.in, err)
		}
		if err != nil {
			checkInvalidParameter(t, err)
		}
	}
}
