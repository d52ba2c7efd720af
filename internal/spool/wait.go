package spool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// waitLimit bounds how long waitOther waits for another process to let go
// of a message: longer than any one delivery takes (connect, TLS, AUTH and
// DATA each time out well within it). A variable for tests.
var waitLimit = 10 * time.Minute

// waitOther is the Outcome of message id, asked for by ID (message send,
// sendmail), when another process holds it: a `spool flush` delivering it,
// say (issue 29: parallel senders must not end with a bare "not
// delivered"). It waits for the claim and then reports what the other
// process did (otherOutcome): sent (its line is in sent.log), partial or
// failed (the record and payload in failed/ say why), deferred (it has an
// attempt: the reason recorded), set aside, or removed. A message still in
// the outbox without an attempt was not tried (the holder was a recovery
// pass, a re-seal, `spool retry`): it is delivered here as usual. When ctx
// ends or waitLimit passes first, the message is reported queued (skipped)
// with the reason.
func (s *Spool) waitOther(ctx context.Context, id string, o *FlushOptions, cache map[sectionKey]resolved) Outcome {
	// Its recipients, for the report of a delivery by the other process:
	// read without the claim (every write is an atomic rename).
	orig, _, _ := s.loadPayload(outboxDir, id, o.Open)
	c, err := s.claimWait(ctx, id)
	if err != nil {
		return Outcome{ID: id, State: StateQueued, Skipped: true, Err: err}
	}
	dir, rec, err := s.find(id)
	switch {
	case err != nil && !mapi.IsCode(err, mapi.NotFound):
		c.release(false)
		return Outcome{ID: id, State: StateQueued, Err: err}
	case err == nil && dir == outboxDir && rec.Attempts == 0:
		oc, _ := s.flushClaimed(ctx, c, id, o, cache, true)
		return oc
	}
	c.release(err != nil || dir != outboxDir) // not in the outbox: its lock goes
	return s.otherOutcome(id, dir, rec, orig, o)
}

// otherOutcome is the Outcome of message id after another process
// delivered or tried it: dir and rec are where [Spool.find] found it then
// (rec nil: gone), orig its payload from before (nil if unknown). Gone, it
// was sent, set aside or removed (goneOutcome); in failed/, it failed or,
// when sent.log has its line, was delivered to some recipients (partial);
// in the outbox, it was deferred, with the reason recorded.
func (s *Spool) otherOutcome(id, dir string, rec *Record, orig *Payload, o *FlushOptions) Outcome {
	if rec == nil {
		return s.goneOutcome(id, orig)
	}
	p, _, err := s.loadPayload(dir, id, o.Open)
	if err != nil {
		return Outcome{ID: id, State: StateQueued, Err: err, Session: rec.Session}
	}
	oc := Outcome{ID: id, State: rec.State, Err: recordedErr(rec, p), Session: rec.Session}
	if dir == failedDir {
		if line, ok := s.sentLine(id); ok && line.Accepted > 0 {
			// A partial delivery: the rest of the recipients failed.
			oc.State, oc.Err = "partial", nil
			oc.Result = &transport.Result{Accepted: acceptedOf(orig, p.Rejected), Rejected: p.Rejected}
		}
	}
	return oc
}

// goneOutcome is the Outcome of message id, no longer in the spool after
// another process held it; orig is its payload from before (nil if it
// could not be read).
func (s *Spool) goneOutcome(id string, orig *Payload) Outcome {
	if s.isRejected(id) {
		return Outcome{ID: id, State: StateRejected,
			Err: notQueuedHere(id, "set aside by another process's flush")}
	}
	if _, ok := s.sentLine(id); ok {
		res := &transport.Result{}
		if orig != nil {
			res.Accepted = append([]string(nil), orig.To...)
		}
		return Outcome{ID: id, State: "sent", Result: res}
	}
	return Outcome{ID: id, Err: mapi.Errorf(mapi.NotFound,
		"message %s was removed from the spool by another process before it was delivered", id)}
}

// acceptedOf is orig's recipients less those rejected; nil when orig is.
func acceptedOf(orig *Payload, rejected []transport.Rejection) []string {
	if orig == nil {
		return nil
	}
	return Accepted(orig.To, rejected)
}

// Accepted is to less the recipients rejected names (compared without
// regard to case), never nil: the recipients a delivery reached.
func Accepted(to []string, rejected []transport.Rejection) []string {
	out := []string{}
	for _, a := range to {
		if !slices.ContainsFunc(rejected, func(r transport.Rejection) bool { return strings.EqualFold(r.Address, a) }) {
			out = append(out, a)
		}
	}
	return out
}

// claimWait takes the claim of message id, waiting while another holder
// has it: polled, from 2 ms up to every 100 ms (a flock cannot be waited
// for with a deadline). Errors: the claim's, Busy after waitLimit, or the
// interruption when ctx ends (75: the message stays queued).
func (s *Spool) claimWait(ctx context.Context, id string) (*claim, error) {
	deadline := time.Now().Add(waitLimit)
	pause := 2 * time.Millisecond
	for {
		c, err := s.claim(id)
		if !errors.Is(err, errBusy) {
			return c, err
		}
		if time.Now().After(deadline) {
			return nil, mapi.Errorf(mapi.Busy, "message %s is still being delivered by another process", id)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, interruptedErr(ctx, 1, []string{id})
		case <-t.C:
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// sentTail bounds how much of the end of sent.log sentLine reads: the line
// it looks for was written moments ago, while waitOther waited.
const sentTail = 4 << 20

// sentLine returns the line of sent.log for message id, looked for in its
// last sentTail bytes.
func (s *Spool) sentLine(id string) (sentLine, bool) {
	f, err := os.Open(filepath.Join(s.Dir, sentLog))
	if err != nil {
		return sentLine{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return sentLine{}, false
	}
	off := max(fi.Size()-sentTail, 0)
	b, err := io.ReadAll(io.NewSectionReader(f, off, fi.Size()-off))
	if err != nil {
		return sentLine{}, false
	}
	key := []byte(`"id":"` + id + `"`)
	for len(b) > 0 {
		i := bytes.LastIndexByte(b[:len(b)-1], '\n') + 1
		line := b[i:]
		b = b[:i]
		if !bytes.Contains(line, key) {
			continue
		}
		var l sentLine
		if json.Unmarshal(bytes.TrimSpace(line), &l) == nil && l.ID == id {
			return l, true
		}
	}
	return sentLine{}, false
}

// recordedErr is the failure another process recorded for a message (its
// record's error kind, its payload's reason, stage and codes), as the
// error that process's delivery gave: a *transport.Error when a stage was
// recorded, else a *mapi.Error of the kind's code.
func recordedErr(rec *Record, p *Payload) error {
	reason := p.Reason
	if reason == "" {
		reason = "no reason recorded"
	}
	if p.Stage == "" {
		code, ok := map[string]mapi.Code{"auth": mapi.LogonFailed, "config": mapi.Unconfigured,
			"local": mapi.CallFailed}[rec.ErrorKind]
		if !ok {
			code = mapi.NetworkError
		}
		return mapi.Errorf(code, "%s", reason)
	}
	kind := transport.KindTemporary
	for k := transport.KindTemporary; k <= transport.KindLocal; k++ {
		if k.String() == rec.ErrorKind {
			kind = k
		}
	}
	te := &transport.Error{Kind: kind, Stage: p.Stage, SMTPCode: p.SMTPCode, EnhancedCode: p.EnhancedCode, Rejected: p.Rejected}
	// The reason is the error's text, "STAGE: [CODE [ENHANCED] ]MESSAGE":
	// keep only the message, which Error() prefixes again.
	te.Message = strings.TrimPrefix(reason, (&transport.Error{Stage: p.Stage, SMTPCode: p.SMTPCode, EnhancedCode: p.EnhancedCode}).Error())
	return te
}
