package profile

import "io"

// readAhead returns a reader of r's bytes that a goroutine fills ahead of
// the caller in chunks of size, so that producing them (age's
// ChaCha20-Poly1305) and consuming them (the JSON scan) overlap on two
// cores. stop must be called once the caller is done; it waits for the
// goroutine. Chunks are recycled: at most depth+2 are ever allocated.
func readAhead(r io.Reader, size, depth int) (io.Reader, func()) {
	a := &ahead{full: make(chan chunk, depth), free: make(chan []byte, depth+2), quit: make(chan struct{}), done: make(chan struct{})}
	go a.fill(r, size)
	return a, func() {
		close(a.quit)
		<-a.done
	}
}

type chunk struct {
	b   []byte
	err error
}

type ahead struct {
	full chan chunk
	free chan []byte
	quit chan struct{}
	done chan struct{}

	cur []byte // unread part of the chunk being read
	buf []byte // that chunk, to recycle
	err error
}

func (a *ahead) fill(r io.Reader, size int) {
	defer close(a.done)
	for {
		var b []byte
		select {
		case b = <-a.free:
		default:
			b = make([]byte, size)
		}
		n, err := io.ReadFull(r, b[:size])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case a.full <- chunk{b[:n], err}:
		case <-a.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *ahead) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			select {
			case a.free <- a.buf[:cap(a.buf)]:
			default:
			}
			a.buf = nil
		}
		c := <-a.full
		a.cur, a.buf, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}
