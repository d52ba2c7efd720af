package diag

import (
	"bytes"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// New returns the logger writing to w: JSON lines when json, else
// mapictl's text lines ([TextHandler]); debug records only when verbose.
func New(w io.Writer, json, verbose bool) *slog.Logger {
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
	return slog.New(NewTextHandler(w, level))
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

// LineLogger turns whole lines written to it into debug records
// {"msg": msg, "line": LINE} of the logger log returns at each line (so a
// logger rebuilt meanwhile is followed). A trailing CR is dropped; a
// partial line waits for its end. It is safe for concurrent use.
func LineLogger(log func() *slog.Logger, msg string) io.Writer {
	return &lineLogger{log: log, msg: msg}
}

type lineLogger struct {
	log  func() *slog.Logger
	msg  string
	mu   sync.Mutex
	part []byte
}

func (t *lineLogger) Write(p []byte) (int, error) {
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
		t.log().Debug(t.msg, "line", line)
	}
}
