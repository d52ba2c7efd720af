// Package session keeps session records and tokens: the encrypted
// snapshot of a logon (sections, their settings and credentials, as plain
// data) that lets later commands send without the profile identity (SPEC
// §7 session logon). The logon itself, turning a profile's transport
// sections into a snapshot, is package account's (account.Logon); session
// imports no account.
package session
