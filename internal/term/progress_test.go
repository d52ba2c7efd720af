package term

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	if Progress(&b) != nil {
		t.Fatal("a buffer is not a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if Progress(f) != nil {
		t.Fatal("a file is not a terminal")
	}
	drawProgress(&b, 1, 3)
	drawProgress(&b, 3, 3)
	drawProgress(&b, 0, 0)
	want := "\r[==========                    ] 1/3" + "\r[==============================] 3/3\n" +
		"\r[==============================] 0/0\n"
	if b.String() != want {
		t.Fatalf("got %q, want %q", b.String(), want)
	}
}
