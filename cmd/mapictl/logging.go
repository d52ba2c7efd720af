package main

// Diagnostics (issue 26, SPEC §9): one log/slog logger on stderr, set up
// from -o and -v.
//
//   - text (the default): a warning is the line "mapictl: warning: MSG",
//     control characters escaped (textsafe.Escape), byte for byte what
//     mapictl always printed; a debug record (-v only) is
//     "mapictl: debug: MSG k=v ...".
//   - -o json: one JSON object per record, slog's standard keys with the
//     level in lower case: {"time":"…","level":"warn","msg":"…"}; DEL and
//     C1 controls escaped as printJSON does (textsafe.JSON).
//   - -v: debug records too. The SMTP dialogue of -v stays text lines
//     ("C: …", "S: …") in text mode; under -o json each line is a debug
//     record {"level":"debug","msg":"smtp","line":"C: …"} (docs/json.md).
//
// The error object (f.exit) is printed after every record: always the last
// line on stderr.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// logState is the factory's logger, built for one (json, verbose) pair: -o
// and -v are known only once the flags and config.yaml are read, and a
// warning printed before (the store's permissions) uses what is known then.
type logState struct {
	l             *slog.Logger
	json, verbose bool
}

// logger returns the diagnostics logger for the current -o and -v.
func (f *factory) logger() *slog.Logger {
	json, verbose := f.jsonOutput(), f.verbose
	if f.log.l == nil || f.log.json != json || f.log.verbose != verbose {
		f.log = logState{l: newLogger(f.IO.Err, json, verbose), json: json, verbose: verbose}
	}
	return f.log.l
}

// newLogger returns the logger writing to w: JSON lines when json, else
// mapictl's text lines; debug records only when verbose.
func newLogger(w io.Writer, json, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	if json {
		return slog.New(slog.NewJSONHandler(jsonLines{w}, &slog.HandlerOptions{Level: level,
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if len(groups) == 0 && a.Key == slog.LevelKey {
					a.Value = slog.StringValue(strings.ToLower(a.Value.String()))
				}
				return a
			}}))
	}
	return slog.New(&textHandler{w: w, level: level, mu: new(sync.Mutex)})
}

// jsonLines escapes, in each record slog's JSON handler writes (one Write
// per record), the controls encoding/json leaves raw.
type jsonLines struct{ w io.Writer }

func (j jsonLines) Write(p []byte) (int, error) {
	if _, err := j.w.Write(textsafe.JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// textHandler prints records as mapictl's stderr lines: "mapictl: warning:
// MSG", "mapictl: debug: MSG", "mapictl: error: MSG", and "mapictl: MSG" for
// info; attributes follow as " key=value". Everything is escaped.
type textHandler struct {
	w     io.Writer
	level slog.Level
	attrs string // pre-formatted " key=value" of WithAttrs
	group string // prefix of WithGroup, "g." for "g"
	mu    *sync.Mutex
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	var b bytes.Buffer
	b.WriteString("mapictl: ")
	switch {
	case r.Level >= slog.LevelError:
		b.WriteString("error: ")
	case r.Level >= slog.LevelWarn:
		b.WriteString("warning: ")
	case r.Level < slog.LevelInfo:
		b.WriteString("debug: ")
	}
	b.WriteString(textsafe.Escape(r.Message))
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		appendAttr(&b, h.group, a)
		return true
	})
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b.Bytes())
	return err
}

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b bytes.Buffer
	for _, a := range as {
		appendAttr(&b, h.group, a)
	}
	c := *h
	c.attrs += b.String()
	return &c
}

func (h *textHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group += name + "."
	return &c
}

// appendAttr writes " group.key=value", escaped; a group attribute writes
// its members.
func appendAttr(b *bytes.Buffer, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, m := range a.Value.Group() {
			appendAttr(b, g, m)
		}
		return
	}
	fmt.Fprintf(b, " %s=%s", textsafe.Escape(group+a.Key), textsafe.Escape(a.Value.String()))
}

// warnf prints a warning on stderr through the logger: in text the line
// "mapictl: warning: MSG", control characters escaped (a warning can quote a
// server's reply); under -o json a record with level "warn".
func (f *factory) warnf(format string, args ...any) {
	f.logger().Warn(fmt.Sprintf(format, args...))
}

// transcript is where the transport writes the -v dialogue: stderr itself
// in text mode (the "C: "/"S: " lines as they always were), debug records
// under -o json, one per line.
func (f *factory) transcript() io.Writer {
	if !f.jsonOutput() {
		return f.IO.Err
	}
	return &transcriptLog{f: f}
}

// transcriptLog turns the transport's dialogue lines into debug records
// {"msg":"smtp","line":…}. The transport writes whole lines; a partial one
// waits for its end.
type transcriptLog struct {
	f    *factory
	mu   sync.Mutex
	part []byte
}

func (t *transcriptLog) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := strings.TrimSuffix(string(t.part[:i]), "\r")
		t.part = t.part[i+1:]
		t.f.logger().Debug("smtp", "line", line)
	}
}
