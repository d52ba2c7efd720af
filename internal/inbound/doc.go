// Package inbound runs one account's fetch exactly once (SPEC §8
// "Incoming mail"): it lists a [Source] (an IMAP mailbox or a POP3
// maildrop, implemented by the clients), streams every message not yet
// delivered into a Maildir or an MDA program, and, with Keep false,
// deletes on the server what was delivered.
//
// # Exactly once
//
// Each account and mailbox has a journal (journal.go) under
// <store>/inbound/, locked exclusively for the whole run: from before the
// logon (the caller dials after [Hold]; a POP3 session's listing is fixed
// at its logon) to after the logoff. Before the journal lock the caller
// takes the account lock ([LockAccount]), which two sections or profiles
// fetching one server mailbox share though their journals differ. A
// message goes
// through these steps, each named by a crash failpoint; steps 2 to 5 are
// taken once for a batch of messages (see Batches):
//
//  1. its bytes, as the protocol frames them, are streamed into
//     tmp/NAME of the Maildir (NAME derived from profile, section,
//     account, UIDVALIDITY and UID; a leftover tmp/NAME with no intent is
//     truncated) while their SHA-256 is computed ("after-write");
//  2. tmp/NAME is fsync'd, then tmp/ ("after-fsync");
//  3. the journal records the intent (ID, NAME, digest) and is fsync'd
//     ("after-intent");
//  4. tmp/NAME is renamed into new/ ("between-links" before each rename
//     but a batch's first), then new/ is fsync'd ("after-link");
//  5. the journal records the delivery ("after-deliveries"), fsync'd
//     later.
//
// Recovery, at the start of every fetch, looks at each intent with no
// delivery: if tmp/NAME is still there the rename never happened (do it
// now); if it is gone the rename did (record the delivery). new/ and cur/
// are never looked at, so a message the user moved or deleted is not
// delivered again. A crash before the intent leaves at most a tmp/ file
// the journal does not know: the message is fetched again and the file
// overwritten. A crash after step 4 is repaired by recovery. So each
// message lands in new/ once.
//
// # Batches
//
// Four fsyncs a message made a first fetch cost milliseconds a message.
// The messages one Source.Fetch streams are therefore made durable
// together (batch.go): a batch ends at 64 messages or 8 MB, when the
// stream pauses for 200 ms (the idle timer's goroutine then takes steps
// 2 to 5 while the stream waits) and when the stream ends, whatever ended
// it (a dropped connection or a full disk included: what is complete in
// tmp/ is delivered). A batch costs one fsync per file (issued
// concurrently, so the file system commits them together), one of tmp/,
// one journal write and fsync for all its intents, its renames, one fsync
// of new/, and one journal write for all its deliveries. The argument is
// the one above, per batch: a crash before the intents' fsync leaves only
// tmp/ files no intent names (fetched again and overwritten); the intents
// are written only after every file and its name in tmp/ are durable, so
// an intent whose tmp/ file is gone was renamed; and the renames are
// durable (new/ fsync'd) before any delivery is recorded.
//
// The delivery records are not fsync'd on their own: the next batch's
// intent fsync, the deletion's journal fsync or the compaction at the
// end of the run (same file, append-only) makes them durable. Losing them
// in a crash is harmless: their intents remain, their tmp/ files are
// durably gone (renamed, new/ fsync'd), and recovery records exactly those
// as delivered, without looking in new/. Nothing is deleted on the server
// for a message before its batch is through step 4, as deletion runs only
// after the stream and its last batch are done.
//
// An MDA is still run a message at a time (delivery there is its exit
// status, not a rename).
//
// Deletion on the server comes after delivery only: Keep false deletes
// every delivered ID the server still lists ("before-delete",
// "after-delete"), then commits ("before-commit"; IMAP UID EXPUNGE, POP3
// QUIT), and only when the server confirmed it does the journal forget
// those IDs. A crash anywhere before leaves them delivered and listed: the
// next run deletes them again, never delivers them again.
//
// An MDA (argv, message on stdin from a private spool file) has no
// rename to make atomic: delivered means it exited 0, which the journal
// then records, so a crash between the two delivers the message again (at
// least once; MAPI_MSGREF, the message's NAME, lets the MDA tell).
//
// # Changed identities
//
// IMAP: a UIDVALIDITY other than the recorded one stops the account
// (MAPI_E_CORRUPT_DATA, 65) until Options.Resync, which moves every
// delivered entry into a stale pool of content digests (a multiset) and
// records the new validity. POP3: a delivered UIDL the server no longer
// lists is an orphan. A message whose ID the journal does not know is
// written to tmp/ in any case (that is how its digest is learnt); when
// the digest matches a stale or orphan entry, one such entry is consumed,
// the tmp/ file removed, and the message recorded as delivered under its
// new ID. Two identical messages therefore stay two. The stale pool and
// the orphans are dropped at the end of a run that resolved every message
// the journal did not know (none left over by Limit, MaxSize, an MDA's 75
// or an error); until then they keep matching.
package inbound
