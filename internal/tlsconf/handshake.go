package tlsconf

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// ErrDataBeforeHandshake refuses a STARTTLS (or POP3 STLS) upgrade when the
// server's go-ahead was followed by more plaintext: bytes a man in the
// middle could have appended, which a client would otherwise read as if
// they came through TLS (the client side of CVE-2011-0411).
var ErrDataBeforeHandshake = errors.New("server sent data before the tls handshake")

// Handshake runs the client handshake on raw (a connection not yet
// carrying TLS) with cfg, under ctx and a deadline of timeout on raw,
// cleared afterwards. A cancelled ctx interrupts it and its error is then
// ctx's. Errors are crypto/tls's (see [Classify]) or the network's.
func Handshake(ctx context.Context, raw net.Conn, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	raw.SetDeadline(time.Now().Add(timeout))
	defer raw.SetDeadline(time.Time{})
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// StartTLS upgrades raw after the server accepted STARTTLS: buffered is
// how many bytes the caller's reader holds beyond the server's go-ahead
// line; any is refused with ErrDataBeforeHandshake before the handshake
// starts. Otherwise it is [Handshake].
func StartTLS(ctx context.Context, raw net.Conn, buffered int, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	if buffered > 0 {
		return nil, ErrDataBeforeHandshake
	}
	return Handshake(ctx, raw, cfg, timeout)
}
