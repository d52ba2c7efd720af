package transport

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// imapTranscript writes the IMAP dialogue (-v) to w, one line per protocol
// line, prefixed "C: " (sent by the client) or "S: " (sent by the server).
// Like the SMTP transcript (transcript.go) it sees each direction through
// its own writer, so what is redacted is decided by what the client does,
// never by what the server sends:
//
//   - between imapBeginAuth and imapEndAuth (the client brackets its whole
//     LOGIN or AUTHENTICATE exchange), the command line shows only its tag,
//     its name and, for AUTHENTICATE, the mechanism ("T2 LOGIN
//     [redacted]", "T2 AUTHENTICATE PLAIN [redacted]"); every later client
//     line and literal is "[redacted]". A client LOGIN or AUTHENTICATE
//     command outside the bracket starts redaction too (until imapEndAuth);
//   - server continuation requests ("+ …", SASL challenges) during the
//     exchange are "+ [redacted]";
//   - literals ({N} at the end of a line: message bodies, mostly) are
//     summarised as "[N bytes of literal data]", never printed, whatever
//     their size, and counted without being buffered;
//   - a line longer than imapMaxShown is cut ("[… N more bytes]");
//   - every line is printed with its control characters escaped
//     ([textsafe.Escape]).
type imapTranscript struct {
	mu      sync.Mutex
	w       io.Writer
	c, s    imapLine
	auth    bool // the client is in its LOGIN or AUTHENTICATE exchange
	authCmd bool // ... and has sent the command line
}

// imapLine reassembles one direction's lines.
type imapLine struct {
	buf     []byte // the line so far, at most imapMaxShown bytes
	more    int    // bytes of the line beyond buf
	tail    []byte // the last bytes of the line when more > 0
	lit     int64  // bytes of the current literal still to come
	litN    int64  // size of the current literal
	tainted bool   // (client) part of the line was written during auth
}

// imapMaxShown bounds what is kept (and shown) of one line.
const imapMaxShown = 4096

func imapNewTranscript(w io.Writer) *imapTranscript { return &imapTranscript{w: w} }

// add appends p to the line, keeping at most imapMaxShown bytes and the
// last 32 bytes (enough to recognise a literal's "{N}").
func (l *imapLine) add(p []byte) {
	if room := imapMaxShown - len(l.buf); room > 0 {
		n := min(room, len(p))
		l.buf = append(l.buf, p[:n]...)
		p = p[n:]
	}
	if len(p) == 0 {
		return
	}
	l.more += len(p)
	l.tail = append(l.tail, p...)
	if len(l.tail) > 32 {
		l.tail = append(l.tail[:0], l.tail[len(l.tail)-32:]...)
	}
}

// end returns the line (CR dropped) and what ends it, and resets it.
func (l *imapLine) end() (shown string, suffix []byte, more int) {
	suffix = l.buf
	if l.more > 0 {
		suffix = l.tail
	}
	suffix = bytes.TrimSuffix(suffix, []byte("\r"))
	shown = strings.TrimSuffix(string(l.buf), "\r")
	more = l.more
	if more > 0 && bytes.HasSuffix(l.tail, []byte("\r")) {
		more--
	}
	l.buf, l.more, l.tail = l.buf[:0], 0, l.tail[:0]
	return shown, suffix, more
}

// imapLiteralSize reports whether a line ending with suffix announces a
// literal ("{N}", "{N+}", "{N-}") and its size.
func imapLiteralSize(suffix []byte) (int64, bool) {
	if !bytes.HasSuffix(suffix, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(suffix, '{')
	if i < 0 {
		return 0, false
	}
	num := strings.TrimRight(string(suffix[i+1:len(suffix)-1]), "+-")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// imapTranscriptWriter is one direction of an imapTranscript.
type imapTranscriptWriter struct {
	t      *imapTranscript
	client bool
}

// Write implements io.Writer; it never fails (a transcript error must not
// break the session).
func (d imapTranscriptWriter) Write(p []byte) (int, error) {
	d.t.write(d.client, p)
	return len(p), nil
}

func (t *imapTranscript) client() io.Writer { return imapTranscriptWriter{t, true} }
func (t *imapTranscript) server() io.Writer { return imapTranscriptWriter{t, false} }

func (t *imapTranscript) write(client bool, p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := &t.s
	if client {
		l = &t.c
	}
	for len(p) > 0 {
		if l.lit > 0 {
			n := int(min(l.lit, int64(len(p))))
			l.lit -= int64(n)
			p = p[n:]
			if l.lit == 0 {
				t.literalDone(client, l)
			}
			continue
		}
		if client && t.auth {
			l.tainted = true
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.add(p)
			break
		}
		l.add(p[:i])
		p = p[i+1:]
		shown, suffix, more := l.end()
		size, isLit := imapLiteralSize(suffix)
		if client {
			t.clientLine(shown, more, l.tainted)
		} else {
			t.serverLine(shown, more)
		}
		if isLit {
			l.lit, l.litN = size, size
			if size == 0 {
				t.literalDone(client, l)
			}
		}
		l.tainted = client && t.auth && len(p) > 0
	}
}

// literalDone prints the summary of a literal just completed.
func (t *imapTranscript) literalDone(client bool, l *imapLine) {
	switch {
	case client && (t.auth || l.tainted):
		fmt.Fprint(t.w, "C: [redacted]\n")
	case client:
		fmt.Fprintf(t.w, "C: [%d bytes of literal data]\n", l.litN)
	default:
		fmt.Fprintf(t.w, "S: [%d bytes of literal data]\n", l.litN)
	}
	l.litN = 0
}

// imapBeginAuth starts the client's LOGIN or AUTHENTICATE exchange: from
// now on every client line is redacted but the command's name.
func (t *imapTranscript) imapBeginAuth() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.auth, t.authCmd = true, false
	if len(t.c.buf) > 0 {
		t.c.tainted = true
	}
}

// imapEndAuth ends the exchange. A partial client line written during it
// stays redacted when it completes.
func (t *imapTranscript) imapEndAuth() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.auth, t.authCmd = false, false
}

// note writes a comment line ("* …") into the transcript.
func (t *imapTranscript) note(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "* %s\n", textsafe.Escape(s))
}

// clientLine prints one complete client line; more counts the bytes cut
// from it, tainted says part of it was written during auth.
func (t *imapTranscript) clientLine(l string, more int, tainted bool) {
	f := strings.Fields(l)
	isAuth := len(f) > 1 && (strings.EqualFold(f[1], "LOGIN") || strings.EqualFold(f[1], "AUTHENTICATE"))
	inAuth := tainted || t.auth
	switch {
	case isAuth && !(inAuth && t.authCmd):
		// The command: its tag, name and mechanism are shown, its
		// arguments never; every later client line is redacted.
		shown := f[0] + " " + strings.ToUpper(f[1])
		if strings.EqualFold(f[1], "AUTHENTICATE") && len(f) > 2 {
			shown += " " + f[2]
		}
		fmt.Fprintf(t.w, "C: %s [redacted]\n", textsafe.Escape(shown))
		t.auth, t.authCmd = true, true
	case inAuth:
		fmt.Fprint(t.w, "C: [redacted]\n")
	default:
		fmt.Fprintf(t.w, "C: %s%s\n", textsafe.Escape(l), imapCut(more))
	}
}

// serverLine prints one complete server line.
func (t *imapTranscript) serverLine(l string, more int) {
	if t.auth && strings.HasPrefix(l, "+") {
		fmt.Fprint(t.w, "S: + [redacted]\n")
		return
	}
	fmt.Fprintf(t.w, "S: %s%s\n", textsafe.Escape(l), imapCut(more))
}

// imapCut is the mark of a line cut after imapMaxShown bytes.
func imapCut(more int) string {
	if more <= 0 {
		return ""
	}
	return fmt.Sprintf("[… %d more bytes]", more)
}
