package inbound

import (
	"io"
	"time"
)

// Account names one account's mailbox. Its fields key the journal and the
// Maildir names (as digests: none of them is stored in plaintext); Host,
// Port, User and Mailbox key the account lock ([AccountKey]).
type Account struct {
	ProfileUID, SectionUID string
	Host, User, Mailbox    string
	Port                   int    // the account lock's key only (not the journal's)
	Protocol               string // "imap" or "pop3"; informational
}

// Options steer one [Fetch].
type Options struct {
	// Maildir is where messages go (the caller gives the default,
	// <store>/inbox/<profile>/<section>); created 0700 if missing. Exactly
	// one of Maildir and MDA is set.
	Maildir string
	// MDA is a program and its arguments (no shell) given each message on
	// stdin, with MAPI_SECTION (Section), MAPI_ADDRESS (Address) and
	// MAPI_MSGREF (the message's name) in its environment and no
	// MAPICTL_* variable. Exit 0: delivered; 75: try later; else rejected.
	MDA              []string
	Section, Address string
	// MDAOutput receives the MDA's stdout and stderr; nil discards them.
	MDAOutput io.Writer

	// Keep leaves messages on the server; false deletes every delivered
	// one (also those delivered by earlier runs) after delivery.
	Keep bool
	// MaxSize, when > 0, skips messages the server announces larger.
	MaxSize int64
	// Limit, when > 0, fetches at most Limit messages.
	Limit int
	// DryRun lists what would be fetched (Result.Pending) and writes
	// nothing: no journal, no Maildir, no lock file.
	DryRun bool
	// Resync accepts a changed UIDVALIDITY: messages whose content is
	// already delivered are not delivered again.
	Resync bool
	// RetryRejected fetches again messages an MDA rejected.
	RetryRejected bool

	// Progress, when set, is called after each message with the number
	// resolved and the number to fetch.
	Progress func(done, total int)
	// Now is the clock (time.Now when nil); used for the MDA spool only.
	Now func() time.Time
	// LockTimeout is how long to wait for another fetch of the same
	// account and mailbox; then MAPI_E_BUSY (75).
	LockTimeout time.Duration
}

// Skip is a message not fetched because of MaxSize.
type Skip struct {
	ID   string
	Size int64
}

// Result sums up one [Fetch].
type Result struct {
	Fetched, Skipped, Deleted int
	Bytes                     int64
	// Errors are the messages that failed without stopping the account
	// (an MDA's 75 or rejection): *transport.Error values of stage
	// "deliver".
	Errors []error
	// Skips are the messages MaxSize skipped.
	Skips []Skip
	// Pending are the IDs a DryRun would fetch.
	Pending []string
}
