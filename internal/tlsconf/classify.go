package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// Failure is what went wrong in a handshake, as [Classify] sees it.
type Failure int

const (
	// NotTLS: not a TLS failure (a network error, a closed connection, a
	// cancelled context); the caller classifies it as it does any other.
	NotTLS Failure = iota
	// BadCertificate: the server's certificate does not verify (chain,
	// name, validity) or does not match the pin. [Hints] apply.
	BadCertificate
	// HandshakeFailed: the peer sent an alert or does not speak TLS.
	HandshakeFailed
)

// Classify sorts a handshake error and, for a TLS failure, returns the
// message to report it with ("certificate does not verify: …" or "tls
// handshake failed: …"); for NotTLS the message is "".
func Classify(err error) (Failure, string) {
	var pin *PinMismatchError
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var he x509.HostnameError
	var cie x509.CertificateInvalidError
	var alert tls.AlertError
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(err, &pin), errors.As(err, &cve), errors.As(err, &uae),
		errors.As(err, &he), errors.As(err, &cie):
		return BadCertificate, "certificate does not verify: " + err.Error()
	case errors.As(err, &alert), errors.As(err, &rhe):
		return HandshakeFailed, "tls handshake failed: " + err.Error()
	}
	return NotTLS, ""
}
