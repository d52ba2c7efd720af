package transport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// imapChunk bounds the UIDs of one UID FETCH, UID STORE or UID EXPUNGE.
const imapChunk = 500

// ErrIMAPNoIdle is wrapped by the error of [IMAPMailbox.Idle] when the
// server offers no IDLE: the caller polls instead.
var ErrIMAPNoIdle = errors.New("server does not offer IDLE")

// IMAPMailbox is one logged-on IMAP session with a mailbox selected, made
// by [DialIMAP]. It implements the inbound engine's Source (SPEC §8):
// message IDs are UIDs in decimal under the mailbox's UIDVALIDITY. Its
// methods are meant to be called one at a time; every error is an *Error.
type IMAPMailbox struct {
	s    *imapSettings
	c    *imapclient.Client
	conn *imapConn
	raw  net.Conn // the TCP connection, closed to interrupt
	log  *imapTranscript

	validity uint32
	caps     imap.CapSet // of the logged-on session
	pending  []imap.UID  // marked \Deleted, not yet expunged
	closed   bool
	// broken is the failure that ended the connection inside a literal:
	// every later call returns it (see fetchRun).
	broken *Error

	newMail chan struct{} // signalled when EXISTS grows
	mu      sync.Mutex
	known   uint32 // messages in the mailbox as last reported
}

// onMailbox (go-imap's reader goroutine) signals new mail when the
// server reports more messages than it did before.
func (m *IMAPMailbox) onMailbox(d *imapclient.UnilateralDataMailbox) {
	if d.NumMessages == nil {
		return
	}
	m.mu.Lock()
	grew := *d.NumMessages > m.known
	m.known = *d.NumMessages
	m.mu.Unlock()
	if grew {
		select {
		case m.newMail <- struct{}{}:
		default:
		}
	}
}

// onExpunge (go-imap's reader goroutine) counts a message expunged by
// someone else.
func (m *IMAPMailbox) onExpunge(uint32) {
	m.mu.Lock()
	if m.known > 0 {
		m.known--
	}
	m.mu.Unlock()
}

// begin starts a call that waits for the server: reads must see a byte
// within the timeout, and ctx ending closes the connection. The returned
// function ends it.
func (m *IMAPMailbox) begin(ctx context.Context) func() {
	m.conn.setBusy(true)
	stop := context.AfterFunc(ctx, func() { m.raw.Close() })
	return func() {
		stop()
		m.conn.setBusy(false)
	}
}

// Validity returns the mailbox's UIDVALIDITY in decimal.
func (m *IMAPMailbox) Validity() string { return strconv.FormatUint(uint64(m.validity), 10) }

// CanDelete reports whether the server has UIDPLUS (or is IMAP4rev2): the
// only way to expunge exactly the messages delivered (UID EXPUNGE), never
// a plain EXPUNGE that would take others' \Deleted messages too.
func (m *IMAPMailbox) CanDelete() bool { return m.caps.Has(imap.CapUIDPlus) }

// CanIdle reports whether the server offers IDLE (see [IMAPMailbox.Idle]).
func (m *IMAPMailbox) CanIdle() bool { return m.caps.Has(imap.CapIdle) }

// List returns the UID (decimal) and RFC822.SIZE of every message in the
// mailbox, by ascending UID, with one UID FETCH 1:* (UID RFC822.SIZE).
// The sizes are the server's estimates. Errors are of stage fetch.
func (m *IMAPMailbox) List(ctx context.Context) (ids []string, sizes []int64, err error) {
	if m.broken != nil {
		return nil, nil, m.broken
	}
	done := m.begin(ctx)
	defer done()
	m.mu.Lock()
	empty := m.known == 0
	m.mu.Unlock()
	if empty {
		return nil, nil, nil // (UID FETCH 1:* of an empty mailbox is an error to some servers)
	}
	type entry struct {
		uid  imap.UID
		size int64
	}
	var all []entry
	cmd := m.c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, RFC822Size: true})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err == nil && buf.UID != 0 {
			all = append(all, entry{buf.UID, buf.RFC822Size})
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, nil, imapClassify(ctx, StageFetch, err)
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.uid, b.uid) })
	all = slices.CompactFunc(all, func(a, b entry) bool { return a.uid == b.uid })
	ids, sizes = make([]string, len(all)), make([]int64, len(all))
	for i, e := range all {
		ids[i], sizes[i] = strconv.FormatUint(uint64(e.uid), 10), e.size
	}
	return ids, sizes, nil
}

// Fetch streams the messages ids with UID FETCH (UID BODY.PEEK[]): one
// command for each run of ascending UIDs, at most imapChunk at a time, so
// the messages of a run follow one another without a round trip each.
// deliver gets each message's UID and a reader of exactly the bytes of its
// literal as they come off the connection (nothing is buffered whole); a
// connection that drops inside a literal makes the reader fail with
// io.ErrUnexpectedEOF, never end early. Messages come in the server's
// order within a run (ascending UID, as sequence numbers go). An id the
// server no longer has, or one it sends without its UID before the body,
// is not delivered; Fetch still returns nil for it.
//
// If deliver returns an error, Fetch stops: the rest of the run is read
// and discarded (the session stays usable, e.g. for deleting what was
// delivered) and that error is returned, unless the reader had failed
// first, in which case its failure, classified (temporary when the
// connection dropped or ctx ended), is: the connection is then closed, and
// every later call but Close returns that error. Other errors are of stage
// fetch.
func (m *IMAPMailbox) Fetch(ctx context.Context, ids []string, deliver func(id string, r io.Reader) error) error {
	if m.broken != nil {
		return m.broken
	}
	uids, err := imapParseUIDs(ids, StageFetch)
	if err != nil {
		return err
	}
	done := m.begin(ctx)
	defer done()
	for len(uids) > 0 {
		n := 1
		for n < len(uids) && n < imapChunk && uids[n] > uids[n-1] {
			n++
		}
		if err := m.fetchRun(ctx, uids[:n], deliver); err != nil {
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// fetchRun fetches one run of ascending UIDs.
func (m *IMAPMailbox) fetchRun(ctx context.Context, run []imap.UID, deliver func(string, io.Reader) error) error {
	var set imap.UIDSet
	set.AddNum(run...)
	cmd := m.c.Fetch(set, &imap.FetchOptions{UID: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	var derr error
	seen := make(map[imap.UID]bool, len(run))
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		if derr == nil {
			derr = m.fetchOne(ctx, msg, seen, deliver)
		}
		if m.broken != nil {
			// A literal failed to read: go-imap's decoder has moved on,
			// and its discarding the rest of that literal would read the
			// connection beside it. The connection is done for: close it
			// and leave the command to go-imap's reader, which ends it.
			m.raw.Close()
			return m.broken
		}
	}
	cerr := cmd.Close()
	if derr != nil {
		return derr
	}
	if cerr != nil {
		return imapClassify(ctx, StageFetch, cerr)
	}
	return nil
}

// fetchOne hands one message's body to deliver.
func (m *IMAPMailbox) fetchOne(ctx context.Context, msg *imapclient.FetchMessageData, seen map[imap.UID]bool, deliver func(string, io.Reader) error) error {
	var uid imap.UID
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = it.UID
		case imapclient.FetchItemDataBodySection:
			if uid == 0 || seen[uid] {
				continue // not routed to us without a UID; a repeat is dropped
			}
			seen[uid] = true
			if it.Literal == nil {
				return &Error{Kind: KindPermanent, Stage: StageFetch,
					Message: fmt.Sprintf("server sent no body for UID %d", uid)}
			}
			r := &imapExactReader{r: it.Literal, n: it.Literal.Size()}
			err := deliver(strconv.FormatUint(uint64(uid), 10), r)
			if r.err != nil {
				m.broken = imapClassify(ctx, StageFetch, r.err)
				return m.broken
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Delete marks ids \Deleted (UID STORE +FLAGS.SILENT (\Deleted)); Commit
// expunges them, Close without Commit takes the flag off again. A server
// without UIDPLUS is KindConfig (78): it could only expunge every
// \Deleted message at once. Errors are of stage delete.
func (m *IMAPMailbox) Delete(ctx context.Context, ids []string) error {
	if !m.CanDelete() {
		return &Error{Kind: KindConfig, Stage: StageDelete,
			Message: "server lacks UIDPLUS: it cannot delete exactly the messages delivered",
			Hints:   []string{"keep the messages on the server: 'mapictl section set SECTION inbound.keep=true'"}}
	}
	if m.broken != nil {
		return m.broken
	}
	uids, err := imapParseUIDs(ids, StageDelete)
	if err != nil {
		return err
	}
	done := m.begin(ctx)
	defer done()
	for chunk := range slices.Chunk(uids, imapChunk) {
		m.pending = append(m.pending, chunk...) // before: a failed STORE may have set some
		var set imap.UIDSet
		set.AddNum(chunk...)
		err := m.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
		if err != nil {
			return imapClassify(ctx, StageDelete, err)
		}
	}
	return nil
}

// Commit expunges the messages Delete marked, by UID EXPUNGE of exactly
// their UIDs, and returns nil only when the server answered OK to it.
// Errors are of stage delete.
func (m *IMAPMailbox) Commit(ctx context.Context) error {
	if m.broken != nil {
		return m.broken
	}
	if len(m.pending) == 0 {
		return nil
	}
	done := m.begin(ctx)
	defer done()
	for len(m.pending) > 0 {
		chunk := m.pending[:min(len(m.pending), imapChunk)]
		var set imap.UIDSet
		set.AddNum(chunk...)
		gone, err := m.c.UIDExpunge(set).Collect()
		if err != nil {
			return imapClassify(ctx, StageDelete, err)
		}
		m.pending = m.pending[len(chunk):]
		m.mu.Lock()
		m.known -= min(m.known, uint32(len(gone)))
		m.mu.Unlock()
	}
	return nil
}

// Close logs out (LOGOUT) and closes the connection, within the step
// timeout. Messages Delete marked and Commit did not expunge get their
// \Deleted flag taken off first (best effort), so that no other client's
// EXPUNGE removes what was not confirmed. Safe after Commit and to call
// twice. Errors are of stage logout.
func (m *IMAPMailbox) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	if m.broken != nil {
		m.c.Close()
		m.raw.Close()
		return nil // nothing left to log out of; the failure was reported
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.s.timeout)
	defer cancel()
	done := m.begin(ctx)
	defer done()
	defer m.raw.Close()
	defer m.c.Close()
	if len(m.pending) > 0 {
		var set imap.UIDSet
		set.AddNum(m.pending...)
		m.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true,
			Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
		m.pending = nil
	}
	if err := m.c.Logout().Wait(); err != nil {
		return imapClassify(ctx, StageLogout, err)
	}
	return nil
}

// Idle waits for new mail: it returns nil when the server reports more
// messages than it had (an EXISTS, possibly received before Idle was
// called: a wakeup may be spurious, and listing again is always right). It
// runs IDLE, which go-imap renews every 28 minutes; the wait itself has no
// timeout. When ctx ends it leaves IDLE (DONE) and returns a temporary
// error wrapping ctx's; the session stays usable, e.g. for Close. A server
// without IDLE is a permanent error wrapping [ErrIMAPNoIdle]. Errors are of
// stage fetch.
func (m *IMAPMailbox) Idle(ctx context.Context) error {
	if m.broken != nil {
		return m.broken
	}
	if !m.CanIdle() {
		return &Error{Kind: KindPermanent, Stage: StageFetch, Err: ErrIMAPNoIdle,
			Message: ErrIMAPNoIdle.Error() + ": poll instead"}
	}
	select {
	case <-m.newMail:
		return nil
	default:
	}
	done := m.begin(ctx)
	idle, err := m.c.Idle()
	done()
	if err != nil {
		return imapClassify(ctx, StageFetch, err)
	}
	var result error
	select {
	case <-m.newMail:
	case <-ctx.Done():
		result = &Error{Kind: KindTemporary, Stage: StageFetch, Err: ctx.Err(),
			Message: "interrupted: " + ctx.Err().Error()}
	case <-m.c.Closed():
		result = &Error{Kind: KindTemporary, Stage: StageFetch, Message: "connection closed by server during IDLE"}
	}
	// Leave IDLE under a fresh step timeout: ctx may be over.
	stop, cancel := context.WithTimeout(context.Background(), m.s.timeout)
	defer cancel()
	done = m.begin(stop)
	defer done()
	err = idle.Close()
	if err == nil {
		err = idle.Wait()
	}
	if err != nil && result == nil {
		result = imapClassify(stop, StageFetch, err)
	}
	return result
}

// imapParseUIDs parses decimal UIDs; anything else is a KindConfig error
// (an ID that is not this client's).
func imapParseUIDs(ids []string, stage string) ([]imap.UID, error) {
	uids := make([]imap.UID, len(ids))
	for i, id := range ids {
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil || n == 0 {
			return nil, &Error{Kind: KindConfig, Stage: stage, Message: fmt.Sprintf("not an IMAP UID: %q", id)}
		}
		uids[i] = imap.UID(n)
	}
	return uids, nil
}
