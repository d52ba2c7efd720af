package transport

import (
	"fmt"
	"io"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// pop3Log writes the POP3 dialogue (-v) to w, "C: " for what the client
// sent and "S: " for what the server sent, every line with its control
// characters escaped. It works at the protocol level, not on the bytes:
// the client decides what is shown of each line it sends, so a credential
// is redacted because of the command that carries it (USER and PASS
// arguments, AUTH initial responses and every SASL response line), never
// because of what the server answers; SASL challenges ("+ ...") are
// redacted too, message data is summarised as a byte count and UIDL and
// LIST listings as a line count. A nil *pop3Log writes nothing.
type pop3Log struct{ w io.Writer }

func newPOP3Log(w io.Writer) *pop3Log {
	if w == nil {
		return nil
	}
	return &pop3Log{w: w}
}

// client logs a line the client sent, as the caller already redacted it.
func (l *pop3Log) client(shown string) {
	if l != nil {
		fmt.Fprintf(l.w, "C: %s\n", textsafe.Escape(shown))
	}
}

// server logs a line the server sent; a SASL challenge is redacted.
func (l *pop3Log) server(line string) {
	if l == nil {
		return
	}
	if line == "+" || len(line) > 1 && line[:2] == "+ " {
		line = "+ [redacted]"
	}
	fmt.Fprintf(l.w, "S: %s\n", textsafe.Escape(line))
}

// note writes a comment line ("* ...").
func (l *pop3Log) note(s string) {
	if l != nil {
		fmt.Fprintf(l.w, "* %s\n", textsafe.Escape(s))
	}
}

// data summarises a message the server sent (n bytes, then its
// terminating dot).
func (l *pop3Log) data(n int64) {
	if l != nil {
		fmt.Fprintf(l.w, "S: [%d bytes of message data]\nS: .\n", n)
	}
}
