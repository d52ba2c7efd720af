package fsutil

import "io/fs"

// ModeString formats m's permission bits as four octal digits, "0700".
func ModeString(m fs.FileMode) string {
	const digits = "01234567"
	p := m.Perm()
	return string([]byte{'0', digits[p>>6&7], digits[p>>3&7], digits[p&7]})
}
