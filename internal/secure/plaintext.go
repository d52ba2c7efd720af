package secure

import (
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
	what string
}

// DecryptAhead starts decrypting the binary age file of size bytes that src
// holds and returns once its header and last chunk are (age authenticates
// the last chunk first): their errors are returned here, as Decrypt's;
// other payload errors by All. A plaintext of up to aheadSpan bytes is
// decrypted before DecryptAhead returns; a longer one by a goroutine, in
// order, one chunk and then aheadSpan bytes at a time, which runs to the end
// of the file whatever the reader does.
func DecryptAhead(src io.ReaderAt, size int64, ids []age.Identity) (*Plaintext, error) {
	return decryptAhead(src, size, ids, "file")
}

// decryptAhead is DecryptAhead; errors name the file as what.
func decryptAhead(src io.ReaderAt, size int64, ids []age.Identity, what string) (*Plaintext, error) {
	if len(ids) == 0 {
		return nil, mapi.Errorf(mapi.NoAccess, "no identity to decrypt the %s with", what)
	}
	ra, n, err := age.DecryptReaderAt(src, size, nativeFirst(ids)...)
	if err != nil {
		return nil, decryptError(err, what)
	}
	if n > MaxPlaintext {
		return nil, mapi.Errorf(mapi.CorruptData, "the decrypted %s is larger than 64 MiB", what)
	}
	p := &Plaintext{buf: make([]byte, n), what: what}
	p.cond.L = &p.mu
	if n <= aheadSpan {
		if err := readAt(ra, p.buf, 0); err != nil {
			p.publish(0, err)
		} else {
			p.publish(len(p.buf), nil)
		}
		return p, nil
	}
	go func() {
		span := chunkSize // the reader waits for the first span: keep it short
		for lo := 0; lo < len(p.buf); lo, span = lo+span, aheadSpan {
			hi := min(lo+span, len(p.buf))
			if err := readAt(ra, p.buf[lo:hi], int64(lo)); err != nil {
				p.publish(lo, err)
				return
			}
			p.publish(hi, nil)
		}
	}()
	return p, nil
}

// aheadSpan is how much of the plaintext DecryptAhead's goroutine decrypts
// at a time after the first chunk: four chunks. age's ReaderAt allocates a
// fresh 64 KiB buffer for every call (so does its streaming reader, for
// every chunk), and a short command never runs the collector to reuse one:
// chunk at a time, 1,000 sections touched 1 MB more fresh memory, at ~2.4 µs
// a page here. Four chunks cut that to a quarter; the whole file in one call
// was slower, as the reader could not start before the end
// (docs/performance.md).
const aheadSpan = 4 * chunkSize

// publish records that buf[:n] is decrypted and, when err is not nil or n
// is all of it, that decryption ended.
func (p *Plaintext) publish(n int, err error) {
	p.mu.Lock()
	p.n, p.err, p.end = n, err, err != nil || n == len(p.buf)
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
// the error that stopped it: CorruptData, with an error of src in its chain
// when reading failed.
func (p *Plaintext) All() ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.end {
		p.cond.Wait()
	}
	if p.err != nil {
		return nil, decryptError(p.err, p.what)
	}
	return p.buf, nil
}
