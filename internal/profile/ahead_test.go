package profile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadAheadCopiesEveryByte(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 1000, 64*3 + 7} {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i * 7)
		}
		r, stop := readAhead(iotest.HalfReader(bytes.NewReader(src)), 64, 2)
		got, err := io.ReadAll(iotest.OneByteReader(r))
		stop()
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("n=%d: got %d bytes, err %v", n, len(got), err)
		}
	}
}

func TestReadAheadPassesErrorsAfterData(t *testing.T) {
	boom := errors.New("disk on fire")
	src := io.MultiReader(bytes.NewReader([]byte("0123456789")), iotest.ErrReader(boom))
	r, stop := readAhead(src, 4, 1)
	defer stop()
	got, err := io.ReadAll(r)
	if !errors.Is(err, boom) || string(got) != "0123456789" {
		t.Fatalf("got %q, %v; want all the data, then the error", got, err)
	}
}

// A reader that stops early (a decode error) must not leave the goroutine
// blocked: stop returns.
func TestReadAheadStopsEarly(t *testing.T) {
	r, stop := readAhead(bytes.NewReader(make([]byte, 1<<20)), 1024, 2)
	if _, err := r.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	stop()
}
