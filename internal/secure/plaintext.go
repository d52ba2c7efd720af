package secure

import (
	"errors"
	"io"
	"sync"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Plaintext is the plaintext of an age file that a goroutine is decrypting,
// chunk by chunk and in order, into one buffer of its final size, so that a
// reader can scan what is decrypted while the rest is (see [DecryptAhead]).
// Every byte Next returns was authenticated as part of its chunk, but the
// file as a whole, its end included, is authenticated only once [All]
// returns without error: nothing read may be used before that.
type Plaintext struct {
	buf  []byte
	mu   sync.Mutex
	cond sync.Cond
	n    int   // bytes of buf decrypted
	end  bool  // no more will be
	err  error // why it ended early
}

// DecryptAhead starts decrypting the binary age file of size bytes that src
// holds and returns once its header is: header errors are returned here, as
// Decrypt's; payload errors by All. The payload is decrypted by a goroutine
// through age's streaming reader, whose two chunk buffers are reused, into
// one buffer of size bytes, an upper bound of the plaintext's (a fresh
// buffer per chunk, as age's ReaderAt allocates, cost a 1,000-section
// credential get 250 more page faults: docs/performance.md). The goroutine
// runs to the end of the file whatever the reader does.
func DecryptAhead(src io.Reader, size int64, ids []age.Identity) (*Plaintext, error) {
	if len(ids) == 0 {
		return nil, mapi.Errorf(mapi.NoAccess, "no identity to decrypt the file with")
	}
	if size > MaxPlaintext+MaxPlaintext/chunkSize*16+4096 {
		return nil, mapi.Errorf(mapi.CorruptData, "the decrypted file is larger than 64 MiB")
	}
	r, err := age.Decrypt(src, nativeFirst(ids)...)
	if err != nil {
		return nil, decryptError(err, "file")
	}
	p := &Plaintext{buf: make([]byte, size)}
	p.cond.L = &p.mu
	go func() {
		n := 0
		for {
			m, err := io.ReadFull(r, p.buf[n:min(n+chunkSize, len(p.buf))])
			n += m
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				p.publish(n, nil, true)
				return
			case err != nil:
				p.publish(n, err, true)
				return
			case n == len(p.buf): // a plaintext as long as its file: not age
				p.publish(n, errors.New("plaintext does not end"), true)
				return
			}
			p.publish(n, nil, false)
		}
	}()
	return p, nil
}

// publish records that buf[:n] is decrypted and, with end, that decryption
// ended, with err.
func (p *Plaintext) publish(n int, err error, end bool) {
	p.mu.Lock()
	p.n, p.err, p.end = n, err, end
	if end {
		p.buf = p.buf[:n]
	}
	p.mu.Unlock()
	p.cond.Broadcast()
}

// Next waits until more than have bytes are decrypted, or decryption ended,
// and returns the decrypted prefix of the plaintext. A result no longer
// than have means there is no more to read: the end, or an error for All.
func (p *Plaintext) Next(have int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.n <= have && !p.end {
		p.cond.Wait()
	}
	return p.buf[:p.n]
}

// All waits for the end of decryption and returns the whole plaintext, or
// the error that stopped it (CorruptData, or an error of src, as
// DecryptAt's).
func (p *Plaintext) All() ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.end {
		p.cond.Wait()
	}
	if p.err != nil {
		return nil, decryptError(p.err, "file")
	}
	return p.buf, nil
}
