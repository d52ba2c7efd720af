package diag

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// TextHandler prints records as mapictl's stderr lines: "mapictl: warning:
// MSG", "mapictl: debug: MSG", "mapictl: error: MSG", and "mapictl: MSG" for
// info; attributes follow as " key=value". Everything is escaped
// (textsafe.Escape). Each record is one Write.
type TextHandler struct {
	w     io.Writer
	level slog.Leveler
	attrs string // pre-formatted " key=value" of WithAttrs
	group string // prefix of WithGroup, "g." for "g"
	mu    *sync.Mutex
}

// NewTextHandler returns a TextHandler writing records at level and above
// to w.
func NewTextHandler(w io.Writer, level slog.Leveler) *TextHandler {
	return &TextHandler{w: w, level: level, mu: new(sync.Mutex)}
}

// Enabled reports whether l is at or above the handler's level.
func (h *TextHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle writes r as one line.
func (h *TextHandler) Handle(_ context.Context, r slog.Record) error {
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

// WithAttrs returns a handler that prints as before each record's own.
func (h *TextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var b bytes.Buffer
	for _, a := range as {
		appendAttr(&b, h.group, a)
	}
	c := *h
	c.attrs += b.String()
	return &c
}

// WithGroup returns a handler that prefixes later keys with "name.".
func (h *TextHandler) WithGroup(name string) slog.Handler {
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
