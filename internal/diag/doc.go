// Package diag builds mapictl's diagnostics logger (issue 26, SPEC §9):
// log/slog records on stderr, for the commands and for a long-running
// watcher alike.
//
//   - text: a warning is the line "mapictl: warning: MSG", control
//     characters escaped (textsafe.Escape), byte for byte what mapictl
//     always printed; a debug record is "mapictl: debug: MSG k=v ...".
//   - JSON: one object per record, slog's standard keys with the level in
//     lower case: {"time":"…","level":"warn","msg":"…"}; DEL and C1
//     controls escaped as textsafe.JSON escapes them.
//   - verbose: debug records too.
//
// A transport's dialogue lines become debug records through [LineLogger].
// diag imports only textsafe.
package diag
