package tlsconf

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
)

// PinMismatchError fails a handshake when the server's leaf certificate
// does not match the pinned fingerprint.
type PinMismatchError struct {
	Got string // hex SHA-256 of the certificate presented, "(none)" if none
}

func (e *PinMismatchError) Error() string {
	return "leaf certificate sha-256 " + e.Got + " does not match the pinned fingerprint"
}

// checkPin compares the SHA-256 of the leaf certificate with pin in
// constant time.
func checkPin(cs tls.ConnectionState, pin []byte) error {
	if len(cs.PeerCertificates) == 0 {
		return &PinMismatchError{Got: "(none)"}
	}
	sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
	if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
		return &PinMismatchError{Got: hex.EncodeToString(sum[:])}
	}
	return nil
}
