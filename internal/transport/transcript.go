package transport

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// transcript writes the SMTP dialogue (-v) to w, one line per protocol
// line, prefixed "C: " (what the client sent) or "S: " (what the server
// sent). The two directions arrive through separate writers
// ([transcript.client], [transcript.server]), so what is redacted is
// decided by what the client is doing, never by what the server sends:
//
//   - between beginAuth and endAuth (the transport brackets its whole AUTH
//     exchange), every client line is "[redacted]", or "AUTH MECH
//     [redacted]" for the AUTH command itself; a client line starting with
//     AUTH outside the bracket also starts redaction (until endAuth). A
//     server that answers early or pipelines "334 …" and "235 ok" in one
//     write cannot make a SASL response print;
//   - every 334 server line (a SASL challenge) becomes "334 [redacted]";
//   - between beginData and endData, message data is summarised as "[N
//     bytes of message data]";
//   - every line is printed with its control characters escaped
//     ([textsafe.Escape]): nothing a server sends reaches the terminal raw.
type transcript struct {
	mu      sync.Mutex
	w       io.Writer
	c, s    lineBuf
	auth    bool // the client is in its AUTH exchange
	authCmd bool // ... and has sent its AUTH command
	data    bool // the client is sending message data
	dataN   int  // bytes of message data seen
	dropped string
}

// lineBuf reassembles one direction's lines.
type lineBuf struct {
	buf     []byte
	cont    bool // buf continues a data line already partly counted
	tainted bool // part of buf was written while auth was on
}

// maxLine bounds the buffered partial line of message data; longer data
// lines are only counted.
const maxLine = 4096

func newTranscript(w io.Writer) *transcript { return &transcript{w: w} }

// client returns the writer for what the client sends.
func (t *transcript) client() io.Writer { return direction{t, true} }

// server returns the writer for what the server sends.
func (t *transcript) server() io.Writer { return direction{t, false} }

type direction struct {
	t      *transcript
	client bool
}

// Write implements io.Writer; it never fails (a transcript error must not
// break delivery).
func (d direction) Write(p []byte) (int, error) {
	d.t.write(d.client, p)
	return len(p), nil
}

func (t *transcript) write(client bool, p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	lb := &t.s
	if client {
		lb = &t.c
		if t.auth && len(p) > 0 {
			lb.tainted = true
		}
	}
	for len(p) > 0 {
		i := strings.IndexByte(string(p), '\n')
		if i < 0 {
			lb.buf = append(lb.buf, p...)
			if client && t.data && len(lb.buf) > maxLine {
				// count all but the last byte (it may be the CR of CRLF)
				t.dataN += len(lb.buf) - 1
				lb.buf = append(lb.buf[:0], lb.buf[len(lb.buf)-1])
				lb.cont = true
			}
			break
		}
		lb.buf = append(lb.buf, p[:i]...)
		p = p[i+1:]
		l := strings.TrimSuffix(string(lb.buf), "\r")
		if client {
			t.clientLine(l, lb.cont, lb.tainted)
		} else {
			t.serverLine(l)
		}
		lb.buf, lb.cont, lb.tainted = lb.buf[:0], false, client && t.auth && len(p) > 0
	}
}

// beginAuth starts the client's AUTH exchange: from now on every client
// line is redacted.
func (t *transcript) beginAuth() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.auth, t.authCmd = true, false
	if len(t.c.buf) > 0 {
		t.c.tainted = true
	}
}

// endAuth ends the AUTH exchange. A partial client line written during it
// stays redacted when it completes.
func (t *transcript) endAuth() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.auth, t.authCmd = false, false
}

// beginData starts message data: client lines are counted, not shown,
// until the terminating "." line or endData.
func (t *transcript) beginData() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.data, t.dataN = true, 0
}

// endData ends message data that was not terminated (a failed write); the
// bytes seen are summarised.
func (t *transcript) endData() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.data {
		return
	}
	t.dataN += len(t.c.buf)
	t.c.buf, t.c.cont = t.c.buf[:0], false
	fmt.Fprintf(t.w, "C: [%d bytes of message data, unterminated]\n", t.dataN)
	t.data, t.dataN = false, 0
}

// note writes a comment line ("* ...") into the transcript.
func (t *transcript) note(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "* %s\n", textsafe.Escape(s))
}

// suppress drops the next server line equal to s (the replayed greeting).
func (t *transcript) suppress(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dropped = s
}

// clientLine handles one complete line the client sent; tainted says part
// of it was written during AUTH.
func (t *transcript) clientLine(l string, cont, tainted bool) {
	if t.data {
		if l == "." && !cont {
			fmt.Fprintf(t.w, "C: [%d bytes of message data]\nC: .\n", t.dataN)
			t.data, t.dataN = false, 0
		} else {
			t.dataN += len(l) + 2
		}
		return
	}
	f := strings.Fields(l)
	isAuth := len(f) > 0 && strings.EqualFold(f[0], "AUTH")
	inAuth := tainted || t.auth
	switch {
	case isAuth && !(inAuth && t.authCmd):
		// The AUTH command: its mechanism is shown, its initial response
		// never. Every client line after it is redacted until endAuth.
		mech := ""
		if len(f) > 1 {
			mech = " " + f[1]
		}
		fmt.Fprintf(t.w, "C: AUTH%s [redacted]\n", textsafe.Escape(mech))
		t.auth, t.authCmd = true, true
	case inAuth:
		fmt.Fprint(t.w, "C: [redacted]\n")
	default:
		fmt.Fprintf(t.w, "C: %s\n", textsafe.Escape(l))
	}
}

// serverLine handles one complete line the server sent.
func (t *transcript) serverLine(l string) {
	if t.dropped != "" && l == t.dropped {
		t.dropped = ""
		return
	}
	if isChallenge(l) {
		fmt.Fprint(t.w, "S: 334 [redacted]\n")
		return
	}
	fmt.Fprintf(t.w, "S: %s\n", textsafe.Escape(l))
}

// isChallenge reports whether server line l is a 334 (SASL challenge)
// reply line.
func isChallenge(l string) bool {
	return strings.HasPrefix(l, "334") && (len(l) == 3 || l[3] == ' ' || l[3] == '-')
}

// loggedConn copies what is read from and written to a connection into a
// transcript, each direction through its own writer.
type loggedConn struct {
	net.Conn
	log *transcript
}

func (c *loggedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.log.server().Write(p[:n])
	}
	return n, err
}

func (c *loggedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.log.client().Write(p[:n])
	}
	return n, err
}
