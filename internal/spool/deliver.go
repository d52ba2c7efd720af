package spool

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/transport"
)

// expiry is how long a message may stay queued by temporary failures.
const expiry = 5 * 24 * time.Hour

// backoff returns the wait after the n-th failed attempt: 1m, 5m, 30m, 2h,
// then 2h again.
func backoff(n int) time.Duration {
	switch {
	case n <= 1:
		return time.Minute
	case n == 2:
		return 5 * time.Minute
	case n == 3:
		return 30 * time.Minute
	}
	return 2 * time.Hour
}

// settle records the result of one Send. The caller holds the claim. A
// delivered message is logged in sent.log (fsync) before its pair is
// removed; if that fails it stays queued, to be sent again, and the outcome
// carries the DiskError.
func (s *Spool) settle(rec *Record, p *Payload, ct []byte, o *FlushOptions, res *transport.Result, err error) Outcome {
	now := s.now()
	if err == nil {
		if res == nil {
			res = &transport.Result{Accepted: append([]string(nil), p.To...)}
		}
		oc := Outcome{ID: rec.ID, State: "sent", Result: res}
		if err := s.logSent(rec, res, now); err != nil {
			oc.State, oc.Err = StateQueued, err
			return oc
		}
		crashPoint("after-sentlog")
		if len(res.Rejected) == 0 {
			if err := s.removePair(outboxDir, rec.ID); err != nil {
				oc.Err = err
			}
			return oc
		}
		return s.settlePartial(rec, p, ct, o, res, now)
	}
	var te *transport.Error
	local := errors.As(err, &te) && te.Kind == transport.KindLocal
	if te == nil || te.Kind == transport.KindTemporary || local {
		// Deferred: a temporary failure, or a local one (a token file that
		// is corrupt or cannot be locked, transport.KindLocal), which is
		// neither the server's nor the message's: it never expires into a
		// report; the message waits until the cause is fixed.
		rec.Attempts++
		rec.LastAttempt = now
		if !local && now.Sub(rec.Created) > expiry {
			return s.failedAt(rec, p, ct, o, err, te, "expired after 5 days: "+err.Error(), true, now)
		}
		rec.NextAttempt = now.Add(backoff(rec.Attempts))
		rec.ErrorKind = "temporary"
		if local {
			rec.ErrorKind = "local"
		}
		setReason(p, err.Error(), te)
		var werr error
		if o.Seal != nil {
			werr = s.writePair(outboxDir, o.Seal, p, nil, rec, "after-update-age")
		} else {
			werr = s.writeRecord(outboxDir, rec)
		}
		if werr != nil {
			return Outcome{ID: rec.ID, State: StateQueued, Err: errors.Join(err, werr)}
		}
		return Outcome{ID: rec.ID, State: StateQueued, Err: err}
	}
	rec.Attempts++
	rec.LastAttempt = now
	return s.failedAt(rec, p, ct, o, err, te, err.Error(), te.Kind == transport.KindPermanent, now)
}

// failed moves a message whose transport could not be resolved to failed/.
func (s *Spool) failed(rec *Record, p *Payload, ct []byte, o *FlushOptions, err error, te *transport.Error) Outcome {
	errors.As(err, &te)
	return s.failedAt(rec, p, ct, o, err, te, err.Error(), false, s.now())
}

// failedAt moves the message to failed/ with reason (and a report when
// withNDR) and returns its outcome.
func (s *Spool) failedAt(rec *Record, p *Payload, ct []byte, o *FlushOptions, err error, te *transport.Error, reason string, withNDR bool, now time.Time) Outcome {
	setReason(p, reason, te)
	if withNDR {
		var fs []message.Failure
		if te != nil && len(te.Rejected) > 0 {
			fs = failuresOf(te.Rejected)
		} else {
			for _, to := range p.To {
				f := message.Failure{Recipient: to, Reply: reason}
				if te != nil {
					f.SMTPCode, f.EnhancedCode = te.SMTPCode, te.EnhancedCode
				}
				fs = append(fs, f)
			}
		}
		p.NDR = s.ndr(o, p, fs, now)
	}
	if merr := s.toFailed(rec, p, ct, o, errorKind(err, te), now); merr != nil {
		return Outcome{ID: rec.ID, State: StateQueued, Err: errors.Join(err, merr)}
	}
	return Outcome{ID: rec.ID, State: StateFailed, Err: err, Report: p.NDR != nil && o.Seal != nil}
}

// toFailed moves the claimed message from the outbox into failed/.
func (s *Spool) toFailed(rec *Record, p *Payload, ct []byte, o *FlushOptions, kind string, now time.Time) error {
	rec.State, rec.ErrorKind, rec.LastAttempt = StateFailed, kind, now
	rec.Rev++
	return s.move(outboxDir, failedDir, o.Seal, p, ct, rec)
}

func setReason(p *Payload, reason string, te *transport.Error) {
	p.Reason = reason
	if te != nil {
		p.SMTPCode, p.EnhancedCode, p.Stage = te.SMTPCode, te.EnhancedCode, te.Stage
		if len(te.Rejected) > 0 {
			p.Rejected = te.Rejected
		}
	}
}

// errorKind names the failure for Record.ErrorKind.
func errorKind(err error, te *transport.Error) string {
	if te != nil {
		return te.Kind.String()
	}
	switch {
	case mapi.IsCode(err, mapi.NoAccess), mapi.IsCode(err, mapi.LogonFailed):
		return "auth"
	case mapi.IsCode(err, mapi.NetworkError), mapi.IsCode(err, mapi.Busy):
		return "temporary"
	}
	return "config"
}

func failuresOf(rs []transport.Rejection) []message.Failure {
	fs := make([]message.Failure, 0, len(rs))
	for _, r := range rs {
		fs = append(fs, message.Failure{Recipient: r.Address, SMTPCode: r.SMTPCode,
			EnhancedCode: r.EnhancedCode, Reply: r.Message})
	}
	return fs
}

func allTemporary(rs []transport.Rejection) bool {
	for _, r := range rs {
		if !r.Temporary {
			return false
		}
	}
	return true
}

// ndr builds the non-delivery report for the sender, or nil when there is
// no sender (null reverse path) or it cannot be built (passed to Warn).
func (s *Spool) ndr(o *FlushOptions, p *Payload, fs []message.Failure, now time.Time) []byte {
	if p.From == "" {
		return nil
	}
	mta := o.ReportingMTA
	if mta == "" {
		mta = "localhost"
	}
	b, err := message.NDR(mta, message.Address{Email: p.From}, p.Message, fs, now)
	if err != nil {
		// Warn names the message already: the text says what failed.
		s.warn(p.Record.ID, mapi.Wrap(mapi.CallFailed, err, "cannot build the non-delivery report"))
		return nil
	}
	return b
}

// sentLine is one line of sent.log.
type sentLine struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	SectionUID string    `json:"section_uid"`
	Accepted   int       `json:"accepted"`
	Rejected   int       `json:"rejected"`
}

// logSent appends the message's line to sent.log (O_APPEND, fsync). The
// spool directory is synced only when this created sent.log: an append
// changes no directory entry.
func (s *Spool) logSent(rec *Record, res *transport.Result, now time.Time) error {
	b, _ := json.Marshal(sentLine{rec.ID, now, rec.SectionUID, len(res.Accepted), len(res.Rejected)})
	path := filepath.Join(s.Dir, sentLog)
	_, serr := os.Lstat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return mapi.Wrap(mapi.DiskError, err, "open sent.log")
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return mapi.Wrap(mapi.DiskError, err, "append to sent.log")
	}
	if serr != nil {
		if err := syncDir(s.Dir); err != nil {
			return mapi.Wrap(mapi.DiskError, err, "sync spool directory")
		}
	}
	return nil
}
