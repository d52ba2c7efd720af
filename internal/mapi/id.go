package mapi

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// IDLen is the length of session and message IDs.
const IDLen = 26

// NewID returns a new session or message ID: 26 characters of [0-9a-z], the
// first 10 a base-36 millisecond timestamp (so IDs sort by creation time),
// the rest random.
func NewID(now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 36)
	ts = strings.Repeat("0", 10-len(ts)) + ts
	var b strings.Builder
	b.WriteString(ts)
	var buf [8]byte
	for b.Len() < IDLen {
		_, _ = rand.Read(buf[:])
		s := strconv.FormatUint(binary.LittleEndian.Uint64(buf[:]), 36)
		b.WriteString(s[:min(len(s), IDLen-b.Len())])
	}
	return b.String()
}

// ValidID reports whether s is a well-formed ID: exactly 26 characters of
// [0-9a-z]. Check IDs with it before any file is touched.
func ValidID(s string) bool {
	if len(s) != IDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// CheckID returns a MAPI_E_INVALID_PARAMETER error when s is not a valid ID.
func CheckID(kind, s string) error {
	if !ValidID(s) {
		return Errorf(InvalidParameter, "malformed %s ID %q: want 26 characters of [0-9a-z]", kind, clip(s))
	}
	return nil
}
