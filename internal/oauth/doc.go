// Package oauth is mapictl's OAuth 2.0 client (SPEC §8 "OAuth 2.0"): the
// endpoints of a section's oauth2.* settings, the logon dialog (device
// authorization grant, RFC 8628, and authorization code with PKCE over a
// loopback redirect, RFC 8252), and the store's token file with its
// refresh.
//
// # Token file
//
// Live tokens are per user and rotate, so they are kept in the store, never
// in the shared profile: <store>/oauth/<profile uid>-<section uid>.age
// ([Path]), age-sealed to the recipients the caller names (identity.pub and
// the unexpired sessions'), written atomically, 0600 in a 0700 directory. Its
// plaintext is JSON:
//
//	{"version":1,"access_token":…,"refresh_token":…,"token_type":…,
//	 "expiry":"RFC 3339","binding":…,"seed":…}
//
// binding is [Binding] of the settings and servers the tokens were issued
// for: a token is never handed out for other settings or servers (77). seed
// is the [Seed.Digest] of the secure-range seed the file started from: a new
// seed replaces the file.
//
// # Refresh
//
// A [Source] refreshes under the file's lock (<name>.lock beside it,
// gofrs/flock), held across the one request to the provider: once it holds
// the lock it re-reads the file and takes a token another process refreshed
// meanwhile, so a refresh token is never presented twice (providers that
// detect reuse revoke the whole grant) and a rotated one is written before
// the lock is released. Refreshes go through golang.org/x/oauth2 one request
// at a time, never through a caching TokenSource, and the client
// authentication style is always explicit (x/oauth2's probing would send a
// refused refresh token a second time).
//
// # Errors
//
// Every error is a *mapi.Error: 77 (the provider refused the grant or the
// client; bindings changed; the file is sealed to other keys), 78 (nothing
// configured, no tokens), 75 (the provider could not be reached, timed out,
// or answered 5xx, HTML or anything that is not OAuth 2.0), 64 (a bad
// URL), 130 (cancelled). Error text names the section and the provider's
// error code and description, never a token, code, verifier or secret.
//
// The package imports no profile, session or transport: callers hand it
// settings, identities and recipients.
package oauth
