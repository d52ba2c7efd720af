// Package session owns logon: turning a profile's transport section and its
// credentials (stored, or prompted) into a ready transport configuration,
// and the session records that let later commands send without the profile
// identity (SPEC §7 session logon).
package session
