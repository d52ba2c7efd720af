package tlsconf

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"

	"github.com/mapictl/mapictl/internal/textsafe"
)

// Fingerprint returns the SHA-256 of the leaf certificate the server
// presented in a handshake that failed with err, in hex (the form
// [Settings.Fingerprint] takes), or "" when err carries no certificate. It
// reads the certificate from the failure itself: crypto/tls hands the
// unverified chain to *tls.CertificateVerificationError (VerifyConnection
// and VerifyPeerCertificate are not called when verification fails), x509's
// errors hold the certificate they judged, and a pin mismatch its digest.
func Fingerprint(err error) string {
	var pin *PinMismatchError
	var cve *tls.CertificateVerificationError
	var uae x509.UnknownAuthorityError
	var he x509.HostnameError
	var cie x509.CertificateInvalidError
	var cert *x509.Certificate
	switch {
	case errors.As(err, &pin):
		if len(pin.Got) == 2*sha256.Size {
			return pin.Got
		}
		return ""
	case errors.As(err, &cve) && len(cve.UnverifiedCertificates) > 0:
		cert = cve.UnverifiedCertificates[0]
	case errors.As(err, &uae):
		cert = uae.Cert
	case errors.As(err, &he):
		cert = he.Certificate
	case errors.As(err, &cie):
		cert = cie.Cert
	}
	if cert == nil {
		return ""
	}
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// Hints are the hints for a certificate that does not verify (err, from
// the handshake): the two settings that make mapictl trust a server
// (PREFIX.ca-file, PREFIX.tls-fingerprint, prefix being the protocol's
// property prefix, e.g. "smtp") and the fingerprint of the certificate the
// server presented. pinned says PREFIX.tls-fingerprint is set (the
// certificate did not match it). The commands name the section as a shell
// needs it (textsafe.ShellArg), or SECTION when section is "". Nil when err
// carries no certificate.
func Hints(err error, pinned bool, section, prefix string) []string {
	fp := Fingerprint(err)
	if fp == "" {
		return nil
	}
	set := "'mapictl section set SECTION "
	if section != "" {
		set = "'mapictl section set " + textsafe.ShellArg(section) + " "
	}
	hs := []string{"the server's certificate has the sha-256 fingerprint " + fp}
	if pinned {
		return append(hs, "if the server's certificate was renewed, check the new fingerprint with its operator and pin it: "+
			set+prefix+".tls-fingerprint="+fp+"', or trust its CA with "+prefix+
			".ca-file=FILE and unset "+prefix+".tls-fingerprint")
	}
	return append(hs, "trust the CA that issued it with "+set+prefix+".ca-file=FILE' (PEM), "+
		"or, once its operator confirmed the fingerprint, pin it: "+set+prefix+
		".tls-fingerprint="+fp+"'")
}
