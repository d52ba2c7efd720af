// Package account resolves a transport section, read from its profile or
// from the snapshot of the session it was logged on in, into an
// [Account]: the section's identity, typed outbound settings, and where
// its credentials come from. [Resolver] is the one place of "use the
// session's snapshot, else open the profile and pick the section";
// [Logon] builds session snapshots. Incoming mail and OAuth 2.0 extend
// Account, not its callers.
//
// account imports session (whose snapshots keep plain structs of their
// own: session.Settings, session.Credentials) and never the reverse; it
// knows no flags, environment or terminal (its callers hand those in).
package account
