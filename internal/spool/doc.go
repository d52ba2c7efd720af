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
//
// # Partial deliveries
//
// A delivery the server accepted for some recipients and refused for others
// is settled per recipient, as Postfix does (partial.go). First the
// message's line goes to sent.log (fsync): from then on the accepted
// recipients are done. Then:
//
//   - refusals for good only (5xx): the message moves to failed/, narrowed
//     to the refused recipients, with their report (`spool retry` sends it
//     to them alone);
//   - refusals for now only (4xx): the message stays in the outbox under its
//     ID, its envelope narrowed to them and re-sealed in place (.age, then
//     .json), with an attempt counted, the backoff and the 5-day expiry of
//     any temporary failure (at expiry it fails with a report naming them);
//   - both: the recipients refused for good become a new message in
//     failed/ (a new ID, the same profile, section, session and creation
//     time), holding only them and their report; it is written, whole,
//     before the queued message is narrowed to the recipients refused for
//     now. Each of the two is listed, shown, retried and dropped on its
//     own.
//
// A crash between these steps may resend, never lose: before the narrowed
// payload is renamed into place the queued message still has every
// recipient, and the next flush sends to all of them again (the accepted
// ones a second time, those refused for good a second report, as a second
// failed message). A new failed message whose .json a crash cut off is
// rebuilt from its payload as an orphan .age is. If the new failed message
// cannot be written, its recipients stay queued with those refused for
// now. Without a Sealer nothing can be narrowed: the message moves to
// failed/ whole, as before.
package spool
