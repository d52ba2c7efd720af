package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestOpenNoFollow: a regular file opens; a symbolic link to it is refused
// with ErrSymlink; a missing file is fs.ErrNotExist.
func TestOpenNoFollow(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	if err := os.WriteFile(file, []byte("k"), FileMode); err != nil {
		t.Fatal(err)
	}
	f, err := OpenNoFollow(file)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := OpenNoFollow(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(file, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if f, err := OpenNoFollow(link); !errors.Is(err, ErrSymlink) {
		if f != nil {
			f.Close()
		}
		t.Fatalf("link: %v; want ErrSymlink", err)
	}
}

// TestOwnerAndMode: a file this process made is not foreign; its mode bits
// count as open to others only where they mean that (Unix).
func TestOwnerAndMode(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, FileMode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, FileMode); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if ForeignOwner(fi) {
		t.Fatal("own file reported as foreign")
	}
	if OpenToOthers(fi) {
		t.Fatal("0600 file reported as open to others")
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err = os.Stat(file); err != nil {
		t.Fatal(err)
	}
	if want := runtime.GOOS != "windows"; OpenToOthers(fi) != want {
		t.Fatalf("0644 file: OpenToOthers = %v, want %v", !want, want)
	}
}

// TestSyncDir: syncing a directory succeeds (a no-op where unsupported).
func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
