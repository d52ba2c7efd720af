package transport

import (
	"bufio"
	"bytes"
	"io"
)

// pop3DotReader reads one dot-terminated multi-line POP3 response body
// (RFC 1939 §3) from r as a stream, giving the bytes exactly as the server
// sent them except for the framing: at the start of a line (the start of
// the body, or after any LF) a "." followed by CRLF (or a bare LF) is the
// terminator, which is consumed and ends the stream with io.EOF; any other
// "." there is a stuffed dot and is removed. Everything else, CRLF, bare
// CR, bare LF, NUL and 8-bit bytes alike, is passed through unchanged, so
// unlike textproto's DotReader nothing is normalised. A stream that ends
// before the terminator is io.ErrUnexpectedEOF. The bytes after the
// terminator stay unread in r (the next pipelined response). Memory stays
// bounded by r's buffer whatever the message size.
type pop3DotReader struct {
	r     *bufio.Reader
	state int
	err   error // sticky: io.EOF after the terminator, or r's error
	n     int64 // bytes of message data given so far
}

const (
	pop3LineStart = iota // next byte starts a line
	pop3Dot              // a "." started the line
	pop3DotCR            // ".\r" started the line
	pop3MidLine          // inside a line
)

func newPOP3DotReader(r *bufio.Reader) *pop3DotReader { return &pop3DotReader{r: r} }

// Read implements io.Reader.
func (d *pop3DotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && d.err == nil {
		if d.state == pop3MidLine {
			m, err := d.copyLine(p[n:])
			n += m
			if err != nil {
				d.fail(err)
			}
			continue
		}
		b, err := d.r.ReadByte()
		if err != nil {
			d.fail(err)
			break
		}
		switch d.state {
		case pop3LineStart:
			if b == '.' {
				d.state = pop3Dot
				continue
			}
			p[n] = b
			n++
			d.state = pop3Next(b)
		case pop3Dot:
			switch b {
			case '\r':
				d.state = pop3DotCR
			case '\n':
				d.err = io.EOF // ".LF": tolerated as the terminator
			default: // a stuffed dot: dropped
				p[n] = b
				n++
				d.state = pop3Next(b)
			}
		case pop3DotCR:
			if b == '\n' {
				d.err = io.EOF
				break
			}
			// ".\r" and more: the dot was stuffed; the CR is data and b
			// is read again as part of the line.
			d.r.UnreadByte()
			p[n] = '\r'
			n++
			d.state = pop3MidLine
		}
	}
	d.n += int64(n)
	if n > 0 {
		return n, nil
	}
	return 0, d.err
}

// copyLine copies buffered bytes of the current line into p, up to and
// including its LF, reading from the connection only when nothing is
// buffered.
func (d *pop3DotReader) copyLine(p []byte) (int, error) {
	if d.r.Buffered() == 0 {
		if _, err := d.r.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := d.r.Peek(min(d.r.Buffered(), len(p)))
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i+1]
		d.state = pop3LineStart
	}
	n := copy(p, buf)
	d.r.Discard(n)
	return n, nil
}

// fail records a read error: any end of input before the terminator is
// io.ErrUnexpectedEOF.
func (d *pop3DotReader) fail(err error) {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	d.err = err
}

// pop3Next is the state after data byte b.
func pop3Next(b byte) int {
	if b == '\n' {
		return pop3LineStart
	}
	return pop3MidLine
}
