// Package spool is mapictl's durable outbox (SPEC §3, §7): every message is
// written here, sealed (encrypted) by the caller's [Sealer], before any
// network step, and then delivered through a transport. It never loses a
// message: delivery is at least once.
//
// # Layout
//
// Under [Spool.Dir] (directories 0700, files 0600):
//
//	outbox/ID.age   sealed [Payload] (JSON): envelope, message, failure details
//	outbox/ID.json  plaintext [Record]: delivery state, never an address or subject
//	outbox/ID.lock  per-message claim (flock) held while a message is worked on
//	failed/ID.age   the same pair for messages that need attention
//	failed/ID.json
//	sent.log        JSON lines, one per delivered message (no address)
//	key             32 random bytes: the key of the payloads' authentication codes
//	rejected/       pairs that did not verify (not queued by this store), never sent
//
// Every payload carries an HMAC-SHA256 under key over what decides where and
// what is sent (see auth.go); Flush sets aside whatever does not verify.
//
// Every write is atomic (temp file ".ID.RANDOM.tmp" in the same directory,
// fsync, rename, fsync directory) and every change to a message's files is
// made while holding its claim.
//
// # Crash safety
//
// A move between outbox/ and failed/ writes the destination .age, then the
// destination .json (with [Record.Rev] one higher), then removes the source
// .age and finally the source .json. A pair is removed .age first. Hence,
// whatever step a crash interrupts, [Spool.Recover] can tell the logical
// place of every message:
//
//   - a .json without an .age in the same directory is garbage (removed);
//   - an .age without a .json beside it, while the other directory holds a
//     complete pair, is an unfinished move (removed);
//   - two complete pairs: the higher Rev wins (a tie goes to failed/);
//   - an .age alone (a crash inside [Spool.Enqueue]) gets its record rebuilt
//     from the copy inside the payload when an [Opener] is given.
//
// A crash after the transport accepted a message but before its pair was
// removed leaves it queued: it is sent again (at least once).
package spool
