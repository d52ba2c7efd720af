package inbound

import (
	"context"
	"io"
)

// Source is one logged-on mailbox: an IMAP mailbox selected, or a POP3
// maildrop. The IMAP and POP3 clients implement it; this package never
// imports them. Errors are *transport.Error values with the SPEC §8
// stages.
type Source interface {
	// Validity is the mailbox's UIDVALIDITY in decimal (IMAP); "" for POP3.
	Validity() string
	// CanDelete reports whether deletions can be confirmed (IMAP: UIDPLUS;
	// POP3: true).
	CanDelete() bool
	// List returns every message on the server: its ID (IMAP UID in
	// decimal; POP3 UIDL) and the size the server announces (an estimate:
	// never used to frame the bytes).
	List(ctx context.Context) (ids []string, sizes []int64, err error)
	// Fetch streams the messages ids in the order given, pipelined,
	// calling deliver for each with a reader of exactly the message's
	// bytes as the protocol frames them. Memory stays bounded whatever the
	// size. If deliver returns an error, Fetch stops and returns it.
	Fetch(ctx context.Context, ids []string, deliver func(id string, r io.Reader) error) error
	// Delete marks ids deleted (IMAP: UID STORE +FLAGS.SILENT (\Deleted);
	// POP3: DELE).
	Delete(ctx context.Context, ids []string) error
	// Commit makes the deletions final and returns nil only when the
	// server confirmed them (IMAP: UID EXPUNGE of exactly those UIDs;
	// POP3: QUIT +OK, which also ends the session).
	Commit(ctx context.Context) error
	// Close logs out (IMAP LOGOUT; POP3: RSET then QUIT when Delete ran
	// without Commit, else QUIT). Safe after Commit.
	Close() error
}
