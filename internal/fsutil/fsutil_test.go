package fsutil

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// A file another process replaces by an atomic rename while this one reads
// it (a token file refreshed by a concurrent logon) is read whole, old or
// new, and never refused as "changed while it was opened".
func TestReadRegularWhileReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.age")
	a, b := bytes.Repeat([]byte("a"), 4096), bytes.Repeat([]byte("b"), 8192)
	if err := WriteFileAtomic(path, a); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			data := a
			if i%2 == 1 {
				data = b
			}
			if err := WriteFileAtomic(path, data); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 3000 {
		got, err := ReadRegular(path)
		if err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("ReadRegular during a replace: %v", err)
		}
		if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
			close(stop)
			wg.Wait()
			t.Fatalf("read %d bytes that are neither version", len(got))
		}
	}
	close(stop)
	wg.Wait()
}

// ReadRegular refuses a symbolic link and anything but a regular file.
func TestReadRegularRefuses(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := ReadRegular(link); !errors.Is(err, ErrSymlink) {
		t.Errorf("ReadRegular(symlink) = %v, want ErrSymlink", err)
	}
	if _, err := ReadRegular(dir); err == nil {
		t.Error("ReadRegular(directory) succeeded")
	}
}
