package main

// Diagnostics (issue 26, SPEC §9): one log/slog logger on stderr, set up
// from -o and -v (internal/diag: text lines as mapictl always printed them,
// or JSON records under -o json; debug records only with -v). The SMTP
// dialogue of -v stays text lines ("C: …", "S: …") in text mode; under -o
// json each line is a debug record {"level":"debug","msg":"smtp","line":"C:
// …"} (docs/json.md). The error object (f.exit) is printed after every
// record: always the last line on stderr.

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/mapictl/mapictl/internal/diag"
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
		f.log = logState{l: diag.New(f.IO.Err, json, verbose), json: json, verbose: verbose}
	}
	return f.log.l
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
	return diag.LineLogger(f.logger, "smtp")
}
