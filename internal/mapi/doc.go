// Package mapi is mapictl's vocabulary: MAPI property tags and types, the
// table of known property names and mapictl's aliases, the codec that turns
// property values into JSON and command-line text and back, and the MAPI
// error codes with the process exit codes they map to.
//
// It imports nothing of mapictl's own.
package mapi
