package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/textsafe"
)

func logFactory(json, verbose bool) (*factory, *bytes.Buffer) {
	var errb bytes.Buffer
	f := newFactory(strings.NewReader(""), &bytes.Buffer{}, &errb)
	if json {
		f.v.Set("output", "json")
	}
	f.verbose = verbose
	return f, &errb
}

// warnf in text prints exactly the line mapictl always printed (scripts
// match it): "mapictl: warning: " and the message, controls escaped.
func TestWarnfTextUnchanged(t *testing.T) {
	for _, msg := range []string{"plain", "server said \x1b[2J\x7f\u009b\r\nbye", "100%% sure", ""} {
		f, errb := logFactory(false, false)
		f.warnf("%s", msg)
		want := fmt.Sprintf("mapictl: warning: %s\n", textsafe.Escape(msg))
		if errb.String() != want {
			t.Errorf("warnf(%q) = %q; want %q", msg, errb.String(), want)
		}
	}
}

// Under -o json a warning is one JSON object: slog's keys, level "warn",
// DEL and C1 escaped as printJSON escapes them.
func TestWarnfJSON(t *testing.T) {
	f, errb := logFactory(true, false)
	f.warnf("reply %s", "\x1b[2J\x7f\u009b")
	line := errb.String()
	if strings.Count(line, "\n") != 1 || strings.ContainsAny(line, "\x1b\x7f\u009b") {
		t.Fatalf("stderr %q: want one line, every control escaped", line)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["level"] != "warn" || rec["msg"] != "reply \x1b[2J\x7f\u009b" || rec["time"] == nil || len(rec) != 3 {
		t.Errorf("record %v; want {time, level: warn, msg}", rec)
	}
}

// Debug records only with -v, in either format.
func TestDebugOnlyVerbose(t *testing.T) {
	for _, js := range []bool{false, true} {
		f, errb := logFactory(js, false)
		f.logger().Debug("hidden")
		if errb.Len() != 0 {
			t.Errorf("json=%v without -v: %q", js, errb.String())
		}
		f.verbose = true // -v known later (the sendmail front end): the logger follows
		f.logger().Debug("shown", "k", "v\x1b")
		got := errb.String()
		if js && !strings.Contains(got, `"level":"debug","msg":"shown","k":"v\u001b"`) ||
			!js && got != "mapictl: debug: shown k=v\\x1b\n" {
			t.Errorf("json=%v with -v: %q", js, got)
		}
	}
}

// The -v dialogue: stderr itself in text, debug records under -o json,
// one per line, a line split over writes joined.
func TestTranscriptWriter(t *testing.T) {
	f, errb := logFactory(false, true)
	if w := f.transcript(); w != f.IO.Err {
		t.Errorf("text: transcript writer %T; want stderr itself", w)
	}
	f, errb = logFactory(true, true)
	w := f.transcript()
	fmt.Fprint(w, "S: 220 hi\r\nC: EH")
	fmt.Fprint(w, "LO x\n")
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"msg":"smtp","line":"S: 220 hi"`) ||
		!strings.Contains(lines[1], `"line":"C: EHLO x"`) {
		t.Errorf("records %q", lines)
	}
}
