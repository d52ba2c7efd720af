package transport

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
)

// pinMismatchError is returned by the TLS handshake when the server's leaf
// certificate does not match the pinned fingerprint. It maps to KindTLS.
type pinMismatchError struct {
	Got string // hex SHA-256 of the certificate presented
}

func (e *pinMismatchError) Error() string {
	return "leaf certificate sha-256 " + e.Got + " does not match the pinned fingerprint"
}

// checkPin compares the SHA-256 of the leaf certificate with pin.
func checkPin(cs tls.ConnectionState, pin []byte) error {
	if len(cs.PeerCertificates) == 0 {
		return &pinMismatchError{Got: "(none)"}
	}
	sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
	if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
		return &pinMismatchError{Got: hex.EncodeToString(sum[:])}
	}
	return nil
}
