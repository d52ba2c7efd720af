// Package transport delivers finished RFC 5322 messages (SPEC §8).
//
// A [Transport] is chosen and configured by a plain [Config]; the package
// knows nothing of profiles, stores or sessions. Three outbound transports
// exist:
//
//   - smtp: message submission with emersion/go-smtp. STARTTLS is required by
//     default, certificates are verified (system roots plus a CA file, or a
//     pinned leaf fingerprint: internal/tlsconf, which IMAP and POP3 clients
//     will share), and AUTH is never sent over a connection that
//     is not both encrypted and verified unless explicitly allowed. The
//     connection is kept between Send calls and re-dialled when it broke.
//   - maildir: one copy written into a Maildir (tmp, fsync, link into new).
//   - sendmail: a local sendmail-compatible program fed on stdin.
//
// # Errors
//
// Every failure is an [*Error] carrying a [Kind] (temporary, permanent,
// auth, tls, config), the protocol stage it happened in and, for SMTP, the
// reply and enhanced status codes. No error and no verbose transcript ever
// contains a password, token or SASL payload: the transcript redacts every
// line the client sends during its AUTH exchange, whatever the server
// replies and however it batches its replies, and prints every line with
// its control characters escaped.
//
// # OAuth 2.0
//
// With Credentials.OAuth2 (a [TokenSource]) or a static OAuth2Token, the
// SMTP, IMAP and POP3 clients log on with OAUTHBEARER (RFC 7628) or
// XOAUTH2, preferred in that order under "auto" (oauth2_auth.go). The
// token is fetched right before AUTH; a token the server refuses is
// refreshed once and presented again on the same connection, and the
// status of the server's error challenge goes into the error.
//
// # Inbound
//
// [DialIMAP] (go-imap/v2, imap_*.go) and [DialPOP3] (our own client on
// net/textproto, pop3_*.go) log on to the inbound side of a section
// ([InboundConfig]) and return a mailbox that implements internal/inbound's
// Source with plain types, so neither package imports the other: List,
// a pipelined and streamed Fetch (bytes exactly as the protocol frames
// them, bounded memory), Delete and a Commit that succeeds only when the
// server confirmed the deletions (UID EXPUNGE; QUIT). TLS trust, the AUTH
// rules and the redacted transcript are SMTP's; errors are *Error with the
// inbound stages (greeting, select, fetch, delete, logout).
package transport
