// Package delivery is the outbox policy of a store, between the commands
// and the spool: who queued messages are sealed to and opened by (the
// store's identity.pub, the identities in use, a session's key), the
// re-sealing of messages queued under a session once it is logged off or
// gone, and the one Submit path that message send and sendmail share:
// queue a payload, deliver it now through the spool, return the outcome
// for the caller to report. A [Target] is where a message goes and holds
// the sender rule of address-override; [OutcomeError] and
// [TransportError] are the one mapping of delivery results to errors and
// so to exit codes; [Keys.Flush] is spool flush's run under the outbox keys.
//
// It imports session and spool, and neither imports it: the spool stays a
// store of sealed messages that knows no session or store layout, and
// session knows no spool. It prints nothing and reads no flag or
// environment: warnings and exit codes are the caller's.
package delivery
