package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mapictl/mapictl/internal/fsutil"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// Fetch runs one pass over src for account a, exactly once as the package
// doc says: it locks and replays the journal under store/inbound/,
// recovers what a crash left, checks the validity, lists the server,
// delivers every message not yet delivered (nor rejected, unless
// RetryRejected; nor larger than MaxSize; at most Limit), deletes on the
// server what was delivered when Keep is false, and compacts the journal.
// It does not Close src.
//
// Errors: src's own (*transport.Error) stop the account; so do local
// failures to store a message (a *transport.Error of stage "deliver",
// KindTemporary: a full disk loses nothing, the message stays on the
// server) and journal failures (*mapi.Error, MAPI_E_DISK_ERROR). A
// changed UIDVALIDITY without Resync is MAPI_E_CORRUPT_DATA (65) with a
// hint; Keep false on a source that cannot confirm deletions is
// MAPI_E_UNCONFIGURED (78), before anything is fetched; another fetch of
// the account holding the lock past LockTimeout is MAPI_E_BUSY (75). The
// Result counts what was done before an error.
//
// Fetch takes the lock itself, after src logged on. A caller that dials
// should take the lock first ([Hold]), then log on and call [Held.Fetch]:
// a POP3 maildrop's listing is fixed at logon, so a source logged on
// while another fetch held the lock lists what that fetch since deleted.
func Fetch(ctx context.Context, store string, a Account, src Source, o Options) (res Result, err error) {
	if (o.Maildir == "") == (len(o.MDA) == 0) {
		return res, mapi.Errorf(mapi.InvalidParameter, "inbound: exactly one of a Maildir and an MDA is needed")
	}
	if !o.Keep && !src.CanDelete() {
		return res, mapi.Errorf(mapi.Unconfigured, "the server cannot confirm deletions (no UIDPLUS), so inbound.keep=false cannot be honoured").
			WithHint("set inbound.keep=true, or use a server with UIDPLUS")
	}
	dir := filepath.Join(store, "inbound")
	path := filepath.Join(dir, journalName(a)+".journal")
	if o.DryRun {
		return dryRun(ctx, path, src, o)
	}
	if err := fsutil.MkdirPrivate(dir); err != nil {
		return res, mapi.Wrap(mapi.DiskError, err, "create the inbound state directory")
	}
	fl, err := lockJournal(ctx, path, o.LockTimeout)
	if err != nil {
		return res, err
	}
	defer fl.Unlock()
	return locked(ctx, path, a, src, o)
}

// locked is one fetch pass of account a whose journal (path) the caller
// holds locked: open the journal, make the Maildir, recover, check the
// validity, fetch, and compact the journal.
func locked(ctx context.Context, path string, a Account, src Source, o Options) (res Result, err error) {
	j, err := openJournal(path)
	if err != nil {
		return res, err
	}
	defer j.close()
	r := &run{ctx: ctx, a: a, src: src, o: o, j: j, dir: filepath.Dir(path), res: &res}
	if o.Maildir != "" {
		r.md = maildir{root: o.Maildir}
		if err := r.md.ensure(); err != nil {
			return res, deliverErr("create the Maildir", err)
		}
	}
	if err := r.recover(); err != nil {
		return res, err
	}
	if err := r.checkValidity(false); err != nil {
		return res, err
	}
	err = r.pass()
	if cerr := r.finish(err == nil); err == nil {
		err = cerr
	}
	return res, err
}

// run is one Fetch's state.
type run struct {
	ctx context.Context
	a   Account
	src Source
	o   Options
	j   *journal
	dir string
	md  maildir
	res *Result

	listed   map[string]bool
	orphans  map[string][]string // POP3: content digest -> delivered UIDLs no longer listed
	complete bool                // every unknown message was resolved
}

// recover finishes every intent with no delivery: tmp/NAME still there is
// renamed into new/; gone means delivered.
func (r *run) recover() error {
	for id, e := range r.j.entries {
		if e.state != stIntent {
			continue
		}
		// The intent's own Maildir: inbound.maildir may have changed (or
		// become an MDA) since the crash; the tmp/ file is still there.
		md := maildir{root: e.dir}
		if md.root == "" {
			md = r.md // a journal written before intents named their Maildir
		}
		if md.root != "" {
			there, err := md.hasTmp(e.name)
			if err != nil {
				return deliverErr("recover a message", err)
			}
			if there {
				if err := md.publish(e.name); err != nil {
					return deliverErr("recover a message", err)
				}
			}
		}
		if err := r.j.append(record{T: "d", ID: id, D: e.digest}, false); err != nil {
			return err
		}
	}
	return nil
}

// checkValidity compares the server's UIDVALIDITY with the recorded one
// and records a new one (with dry, only in memory).
func (r *run) checkValidity(dry bool) error {
	v := r.src.Validity()
	if v == r.j.validity || v == "" {
		return nil
	}
	if r.j.validity != "" && !r.o.Resync && r.delivered() {
		return mapi.Errorf(mapi.CorruptData, "the server's UIDVALIDITY of the mailbox changed (%s, was %s): its messages may have been renumbered", v, r.j.validity).
			WithHint("run 'mapictl message fetch --resync -s SECTION' to deliver only the messages not delivered yet")
	}
	if dry {
		r.j.apply(record{T: "v", V: v})
		return nil
	}
	return r.j.append(record{T: "v", V: v}, true)
}

// delivered reports whether the journal holds anything delivered (without
// which a changed validity cannot cause a duplicate).
func (r *run) delivered() bool {
	if len(r.j.stale) > 0 {
		return true
	}
	for _, e := range r.j.entries {
		if e.state == stDone {
			return true
		}
	}
	return false
}

// plan lists the server and returns the IDs to fetch, in the server's
// order.
func (r *run) plan() ([]string, error) {
	ids, sizes, err := r.src.List(r.ctx)
	if err != nil {
		return nil, err
	}
	r.listed = make(map[string]bool, len(ids))
	for _, id := range ids {
		r.listed[id] = true
	}
	r.complete = true
	var want []string
	for i, id := range ids {
		if e := r.j.entries[id]; e != nil && (e.state == stDone || e.state == stRejected && !r.o.RetryRejected) {
			continue
		}
		if r.o.MaxSize > 0 && i < len(sizes) && sizes[i] > r.o.MaxSize {
			r.res.Skipped++
			r.res.Skips = append(r.res.Skips, Skip{ID: id, Size: sizes[i]})
			r.complete = false
			continue
		}
		if r.o.Limit > 0 && len(want) >= r.o.Limit {
			r.complete = false
			continue
		}
		want = append(want, id)
	}
	return want, nil
}

// pass fetches and delivers, then deletes what was delivered (Keep false).
func (r *run) pass() error {
	want, err := r.plan()
	if err != nil {
		r.complete = false
		return err
	}
	if r.src.Validity() == "" {
		r.orphans = map[string][]string{}
		for id, e := range r.j.entries {
			if e.state == stDone && !r.listed[id] {
				r.orphans[e.digest] = append(r.orphans[e.digest], id)
			}
		}
	}
	if len(want) > 0 {
		done := 0
		if r.o.Progress != nil {
			r.o.Progress(0, len(want))
		}
		var b *batch
		if r.md.root != "" {
			b = newBatch(r)
			defer b.abandon()
		}
		err := r.src.Fetch(r.ctx, want, func(id string, body io.Reader) error {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			if err := r.deliver(b, id, body); err != nil {
				return err
			}
			done++
			if r.o.Progress != nil {
				r.o.Progress(done, len(want))
			}
			return nil
		})
		if b != nil {
			// What the stream left pending is complete in tmp/: make it
			// durable whatever ended the stream.
			if berr := b.close(); err == nil {
				err = berr
			}
		}
		if err != nil {
			r.complete = false
			return err
		}
		if done < len(want) {
			r.complete = false
		}
	}
	if !r.o.Keep {
		return r.deleteDelivered()
	}
	return nil
}

// deliver stores one message: into tmp/, fsync'd, then queued on b (nil
// for an MDA), which makes it durable and delivered with its batch.
func (r *run) deliver(b *batch, id string, body io.Reader) error {
	name := messageName(r.a, r.j.validity, id)
	if r.md.root == "" {
		return r.deliverMDA(id, name, body)
	}
	if err := r.flushIfPending(b, name); err != nil {
		return err
	}
	f, n, digest, err := r.md.writeTmp(name, body)
	if err != nil {
		return deliverErr("write the message to the Maildir", err)
	}
	m := pendingMsg{f: f, id: id, name: name, digest: digest, size: n}
	b.lock()
	adopted, err := r.adopt(id, digest)
	b.mu.Unlock()
	if err != nil || adopted {
		if derr := r.drop(m); err == nil {
			err = derr
		}
		return err
	}
	return b.add(m)
}

// flushIfPending flushes b when name is pending in it (a server listing
// one ID twice), so that tmp/name is not written over before its intent.
func (r *run) flushIfPending(b *batch, name string) error {
	b.lock()
	defer b.mu.Unlock()
	if !b.pendingName(name) {
		return nil
	}
	b.timer.Stop()
	return b.flush()
}

// deliverMDA spools one message and runs the MDA on it.
func (r *run) deliverMDA(id, name string, body io.Reader) error {
	f, n, digest, err := spool(r.dir, body)
	if err != nil {
		return deliverErr("spool the message for the MDA", err)
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	if adopted, err := r.adopt(id, digest); err != nil || adopted {
		return err
	}
	env := []string{"MAPI_SECTION=" + r.o.Section, "MAPI_ADDRESS=" + r.o.Address, "MAPI_MSGREF=" + name}
	outcome, status, err := runMDA(r.ctx, r.o.MDA, f, env, r.o.MDAOutput)
	if err != nil {
		return &transport.Error{Kind: transport.KindConfig, Stage: transport.StageDeliver, Err: err,
			Message: "cannot run the MDA: " + err.Error()}
	}
	switch outcome {
	case mdaDelivered:
		if err := r.j.append(record{T: "d", ID: id, D: digest}, true); err != nil {
			return err
		}
		r.res.Fetched++
		r.res.Bytes += n
	case mdaLater:
		// Try later means fetched again by the next fetch: a rejection
		// recorded earlier (this is --retry-rejected) no longer holds.
		if e := r.j.entries[id]; e != nil && e.state == stRejected {
			if err := r.j.append(record{T: "g", ID: id}, true); err != nil {
				return err
			}
		}
		r.complete = false
		r.res.Errors = append(r.res.Errors, &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageDeliver,
			Message: fmt.Sprintf("message %s: the MDA exited %d (try later); it stays on the server", id, status)})
	default:
		if err := r.j.append(record{T: "r", ID: id, D: digest}, true); err != nil {
			return err
		}
		r.res.Errors = append(r.res.Errors, &transport.Error{Kind: transport.KindPermanent, Stage: transport.StageDeliver,
			Message: fmt.Sprintf("message %s: the MDA rejected it (exit %d); it stays on the server and is not fetched again without --retry-rejected", id, status)})
	}
	return nil
}

// adopt records id as delivered when digest matches an orphan (POP3) or a
// stale entry (IMAP after a resync), consuming one.
func (r *run) adopt(id, digest string) (bool, error) {
	if olds := r.orphans[digest]; len(olds) > 0 {
		r.orphans[digest] = olds[1:]
		return true, r.j.append(record{T: "a", ID: id, Old: olds[0], D: digest}, true)
	}
	if r.j.stale[digest] > 0 {
		return true, r.j.append(record{T: "a", ID: id, D: digest}, true)
	}
	return false, nil
}

// deleteDelivered deletes every delivered ID the server lists and, once
// the server confirmed, forgets them.
func (r *run) deleteDelivered() error {
	var del []string
	for id, e := range r.j.entries {
		if e.state == stDone && r.listed[id] {
			del = append(del, id)
		}
	}
	if len(del) == 0 {
		return nil
	}
	sortIDs(del)
	crashPoint("before-delete")
	if err := r.src.Delete(r.ctx, del); err != nil {
		return err
	}
	crashPoint("after-delete")
	crashPoint("before-commit")
	if err := r.src.Commit(r.ctx); err != nil {
		return err
	}
	for _, id := range del {
		if err := r.j.append(record{T: "g", ID: id}, false); err != nil {
			return err
		}
	}
	r.res.Deleted = len(del)
	return r.j.sync()
}

// finish prunes what can no longer matter and compacts the journal. IMAP:
// entries whose UID the server no longer lists under the same validity
// (UIDs are never reused). POP3: rejected entries no longer listed, and,
// when the run was complete, the orphans. A complete run also drops the
// stale pool. Without a listing (the run failed before it) nothing is
// pruned.
func (r *run) finish(ok bool) error {
	if r.listed != nil {
		imap := r.src.Validity() != ""
		whole := ok && r.complete
		for id, e := range r.j.entries {
			if r.listed[id] || e.state == stIntent {
				continue
			}
			if imap || e.state == stRejected || whole {
				delete(r.j.entries, id)
			}
		}
		if whole {
			clear(r.j.stale)
		}
	}
	return r.j.compact()
}

// dryRun lists what a fetch would fetch, reading the journal without a
// lock and writing nothing. Messages a fetch would find delivered by their
// content (POP3 renumbering, a resync) are listed too.
func dryRun(ctx context.Context, path string, src Source, o Options) (Result, error) {
	var res Result
	j, err := readJournal(path)
	if err != nil {
		return res, err
	}
	r := &run{ctx: ctx, src: src, o: o, j: j, res: &res}
	if err := r.checkValidity(true); err != nil {
		return res, err
	}
	want, err := r.plan()
	res.Pending = want
	return res, err
}

// deliverErr is a local failure to store a message: temporary, stage
// deliver (the message stays on the server).
func deliverErr(what string, err error) error {
	var me *mapi.Error
	if errors.As(err, &me) {
		return err
	}
	return &transport.Error{Kind: transport.KindTemporary, Stage: transport.StageDeliver, Err: err,
		Message: what + ": " + err.Error()}
}

// sortIDs sorts ids shortest first, then bytewise: numeric order for UIDs.
func sortIDs(ids []string) {
	slices.SortFunc(ids, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
}
