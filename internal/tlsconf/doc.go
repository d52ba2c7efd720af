// Package tlsconf is the TLS trust every mail protocol client of mapictl
// shares (SMTP today, IMAP and POP3 to come): the [*tls.Config] built from a
// section's settings (system roots plus a CA file, a pinned SHA-256 leaf
// fingerprint, or verification switched off), the client handshake under
// the caller's context, the classification of a failed handshake, and the
// hints that tell a user how to trust a server whose certificate does not
// verify.
//
// It knows nothing of protocols, stages or exit codes: callers wrap its
// results in their own errors. It imports nothing of mapictl.
package tlsconf
