package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// The text handler keeps WithAttrs and WithGroup attributes, escaped.
func TestTextHandlerAttrs(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, false, false).With("id", "x").WithGroup("g")
	l.Warn("m", "a", 1, "b", "c\rd")
	if want := "mapictl: warning: m id=x g.a=1 g.b=c\\rd\n"; b.String() != want {
		t.Errorf("got %q; want %q", b.String(), want)
	}
}

// Each level has its text prefix; info has none.
func TestTextLevels(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, false, true)
	l.Debug("d")
	l.Info("i")
	l.Warn("w\x1b")
	l.Error("e")
	want := "mapictl: debug: d\nmapictl: i\nmapictl: warning: w\\x1b\nmapictl: error: e\n"
	if b.String() != want {
		t.Errorf("got %q; want %q", b.String(), want)
	}
}

// JSON records: lower-case level, DEL and C1 escaped; debug only when
// verbose.
func TestJSONRecords(t *testing.T) {
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		l := New(&b, true, verbose)
		l.Debug("d")
		l.Warn("w\x7f\u009b")
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if want := map[bool]int{false: 1, true: 2}[verbose]; len(lines) != want {
			t.Fatalf("verbose=%v: %d records %q; want %d", verbose, len(lines), lines, want)
		}
		last := lines[len(lines)-1]
		if strings.ContainsAny(last, "\x7f\u009b") {
			t.Errorf("raw controls in %q", last)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(last), &rec); err != nil || rec["level"] != "warn" || rec["msg"] != "w\x7f\u009b" {
			t.Errorf("record %q (%v)", last, err)
		}
	}
}

// LineLogger: one debug record per line, CR dropped, a line split over
// writes joined, the current logger asked at each line.
func TestLineLogger(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, true, true)
	calls := 0
	w := LineLogger(func() *slog.Logger { calls++; return l }, "smtp")
	fmt.Fprint(w, "S: 220 hi\r\nC: EH")
	fmt.Fprint(w, "LO x\n")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"msg":"smtp","line":"S: 220 hi"`) ||
		!strings.Contains(lines[1], `"line":"C: EHLO x"`) || calls != 2 {
		t.Errorf("records %q, %d logger calls", lines, calls)
	}
}
