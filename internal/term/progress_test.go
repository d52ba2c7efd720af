package term

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// A long run redraws at most every progressEvery: the first step, then
// one per interval, and always the last.
func TestProgressThrottled(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := throttled(&b, func() time.Time { return now })
	for i := 1; i <= 10000; i++ {
		p(i, 10000)
		now = now.Add(time.Millisecond) // 10 s in all
	}
	draws := strings.Count(b.String(), "\r")
	if draws < 90 || draws > 102 {
		t.Fatalf("%d redraws for 10,000 steps over 10 s; want about 100", draws)
	}
	if !strings.HasSuffix(b.String(), "] 10000/10000\n") || !strings.HasPrefix(b.String(), "\r[                              ] 1/10000") {
		t.Fatalf("first or last step not drawn: %q…%q", b.String()[:40], b.String()[b.Len()-20:])
	}
}
