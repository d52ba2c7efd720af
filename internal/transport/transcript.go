package transport

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// transcript is the go-smtp DebugWriter (and the writer of our own pre-TLS
// dialogue). It receives both directions of the raw dialogue, reassembles
// lines and writes them to w prefixed "C: " or "S: ", with these rules:
//
//   - "AUTH MECH <initial response>" becomes "AUTH MECH [redacted]";
//   - until the final AUTH reply, every client line becomes "[redacted]" and
//     every 334 challenge "334 [redacted]";
//   - message data after "354" is summarised as "[N bytes of message data]".
//
// Server replies are recognised by their three-digit code; client SASL
// responses are base64 and can never look like one.
type transcript struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	state   int // stNormal, stAuth, stAwaitData, stData
	data    int // bytes of message data seen
	dropped string
	cont    bool // buf continues a data line already partly counted
}

const (
	stNormal = iota
	stAuth
	stAwaitData
	stData
)

// maxLine bounds the buffered partial line; longer data lines are only
// counted.
const maxLine = 4096

func newTranscript(w io.Writer) *transcript { return &transcript{w: w} }

// Write implements io.Writer; it never fails (a transcript error must not
// break delivery).
func (t *transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := strings.IndexByte(string(p), '\n')
		if i < 0 {
			t.buf = append(t.buf, p...)
			if t.state == stData && len(t.buf) > maxLine {
				// count all but the last byte (it may be the CR of CRLF)
				t.data += len(t.buf) - 1
				t.buf = append(t.buf[:0], t.buf[len(t.buf)-1])
				t.cont = true
			}
			break
		}
		t.buf = append(t.buf, p[:i]...)
		p = p[i+1:]
		t.line(strings.TrimSuffix(string(t.buf), "\r"))
		t.buf, t.cont = t.buf[:0], false
	}
	return n, nil
}

// note writes a comment line ("* ...") into the transcript.
func (t *transcript) note(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "* %s\n", s)
}

// suppress drops the next line equal to s (the replayed greeting).
func (t *transcript) suppress(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dropped = s
}

// line handles one complete line.
func (t *transcript) line(l string) {
	if t.dropped != "" && l == t.dropped {
		t.dropped = ""
		return
	}
	reply := isReply(l)
	switch t.state {
	case stData:
		if l == "." && !t.cont {
			fmt.Fprintf(t.w, "C: [%d bytes of message data]\nC: .\n", t.data)
			t.state, t.data = stNormal, 0
		} else {
			t.data += len(l) + 2
		}
		return
	case stAuth:
		switch {
		case !reply:
			fmt.Fprint(t.w, "C: [redacted]\n")
		case strings.HasPrefix(l, "334"):
			fmt.Fprint(t.w, "S: 334 [redacted]\n")
		default:
			fmt.Fprintf(t.w, "S: %s\n", l)
			if lastLine(l) {
				t.state = stNormal
			}
		}
		return
	}
	if reply {
		if t.state == stAwaitData && strings.HasPrefix(l, "354") {
			t.state = stData
		} else if t.state == stAwaitData && lastLine(l) {
			t.state = stNormal
		}
		fmt.Fprintf(t.w, "S: %s\n", l)
		return
	}
	f := strings.Fields(l)
	switch {
	case len(f) > 0 && strings.EqualFold(f[0], "AUTH"):
		mech := ""
		if len(f) > 1 {
			mech = " " + f[1]
		}
		fmt.Fprintf(t.w, "C: AUTH%s [redacted]\n", mech)
		t.state = stAuth
		return
	case strings.EqualFold(l, "DATA"):
		t.state = stAwaitData
	}
	fmt.Fprintf(t.w, "C: %s\n", l)
}

// isReply reports whether l looks like a server reply: three digits
// followed by nothing, a space or a hyphen.
func isReply(l string) bool {
	if len(l) < 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if l[i] < '0' || l[i] > '9' {
			return false
		}
	}
	return len(l) == 3 || l[3] == ' ' || l[3] == '-'
}

// lastLine reports whether reply line l ends its reply (no "-" after the
// code).
func lastLine(l string) bool { return len(l) == 3 || l[3] != '-' }
