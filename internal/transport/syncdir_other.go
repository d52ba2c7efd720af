//go:build !unix

package transport

// syncDir is a no-op where directories cannot be synced (Windows).
func syncDir(string) error { return nil }
