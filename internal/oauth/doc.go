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
// the unexpired sessions that may read the section), written atomically,
// 0600 in a 0700 directory. Its plaintext is JSON:
//
//	{"version":1,"access_token":…,"refresh_token":…,"token_type":…,
//	 "expiry":"RFC 3339","binding":…,"token_url":…,"seeds":[…],
//	 "recipients":[…]}
//
// binding is [Binding] of the settings and servers (with their TLS
// settings) the tokens were issued for: a token is never handed out for
// other settings or servers (77). token_url is the token endpoint that
// issued them, as resolved then (by discovery, for a custom issuer): a
// refresh token is never presented to another one (77, no request); a file
// without it (an older mapictl's) records it at its next write. seeds are
// the [Seed.Digest]s of every seed the file was started from, and of the
// seed a sign-in saw ([Save] keeps those of the file it replaces, when its
// identities open it): a seed starts the file anew only when its
// digest is not among them, so two holders of different seeds (a session's
// older snapshot, the profile's newer seed) never replace each other's
// tokens. recipients are who the file is sealed to.
//
// # Seeds
//
// A seed never writes before it worked: one with a refresh token is a
// refresh (below) whose answer, and only that, becomes the file; one the
// provider refuses leaves the file, and its working tokens, as they were.
// A seed with an access token only is used from memory while it is valid,
// and never written.
//
// # Recipients
//
// [Source.Recipients], and the recipients function of [Save] and
// [Reseal], is asked holding the file's lock before every write,
// so a refresh that waited for the lock while a logoff re-sealed the file
// does not seal it to the logged-off key again. When Token opens a file
// that records a recipient Recipients no longer returns (a session logged
// off or expired), or records none, it re-seals the file first; the usual
// case (none dropped) is one Recipients call and a set comparison, with no
// lock and no write. Re-sealing only keeps a key from opening the file
// from then on: a refresh token read before stays valid until the grant is
// revoked at the provider.
//
// # Refresh
//
// A [Source] resolves the provider's endpoints (a discovery request for a
// custom issuer, within its Timeout) before it takes the file's lock
// (<name>.lock beside it, gofrs/flock), and holds the lock across the one
// request to the provider: once it holds the lock it re-reads the file and
// takes a token another process refreshed meanwhile, so a refresh token is
// never presented twice (providers that detect reuse revoke the whole
// grant) and a rotated one is written before the lock is released.
// Refreshes go through golang.org/x/oauth2 one request at a time, never
// through a caching TokenSource, and the client authentication style is
// always explicit (x/oauth2's probing would send a refused refresh token a
// second time). A failed refresh writes nothing. A refresh request, once
// sent, is not abandoned when ctx is cancelled (the first SIGINT or
// SIGTERM): it runs to the answer or the Timeout, the answer is written,
// and only then is 130 returned, since the provider may already have
// rotated the refresh token presented. An answer that cannot be written
// is an error (74) saying whether the provider rotated the refresh token.
//
// # Dialogs
//
// [Device] and [Browser] take their deadline from ctx and add none; when it
// passes they return 77 (the sign-in was not completed in time), when ctx
// is cancelled 130.
//
// # Errors
//
// Every error is a *mapi.Error: 77 (the provider refused the grant or the
// client; bindings or the token URL changed; the file is sealed to other
// keys; no refresh token for an unusable access token), 78 (nothing
// configured, no tokens), 75 (the provider could not be reached, timed out,
// or answered 5xx, HTML or anything that is not OAuth 2.0), 64 (a bad
// URL, discovery metadata without the configured issuer), 130 (cancelled).
// Error text names the section and the provider's error code and
// description, never a token, code, verifier or secret.
//
// The package imports no profile, session or transport: callers hand it
// settings, identities and recipients.
package oauth
