package spool

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Enqueue writes a new message to the outbox, sealed with seal: the payload
// first, then its record (state queued, due now). It returns the new ID and
// does nothing else. p.Record is overwritten with the new record. Errors:
// *mapi.Error InvalidParameter (no payload, no recipient, malformed session
// ID), DiskError, or the sealer's error.
func (s *Spool) Enqueue(seal Sealer, profile, sectionUID, session string, p *Payload) (string, error) {
	if p == nil || len(p.To) == 0 {
		return "", mapi.Errorf(mapi.InvalidParameter, "spool: message has no recipient")
	}
	if seal == nil {
		return "", mapi.Errorf(mapi.InvalidParameter, "spool: no sealer")
	}
	if session != "" {
		if err := mapi.CheckID("session", session); err != nil {
			return "", err
		}
	}
	if _, err := s.loadKey(true); err != nil {
		return "", err
	}
	now := s.now()
	id := mapi.NewID(now)
	rec := Record{ID: id, Profile: profile, SectionUID: sectionUID, State: StateQueued,
		Created: now, NextAttempt: now, Session: session}
	c, err := s.claim(id)
	if err != nil {
		return "", err
	}
	failed := false
	defer func() { c.release(failed) }()
	p.Record = rec
	if err := s.writePair(outboxDir, seal, p, nil, &rec, "after-payload"); err != nil {
		s.removePair(outboxDir, id) // best effort: the caller is told it was not queued
		failed = true
		return "", err
	}
	crashPoint("after-record")
	return id, nil
}

// writePair writes dir/ID.age (p sealed with seal, or ct as is when seal is
// nil) and then dir/ID.json; point names the crash point between the two.
// Sealing recomputes p's authentication code with the spool key: callers
// seal only new payloads and payloads that verified (see [Spool.verify]).
func (s *Spool) writePair(dir string, seal Sealer, p *Payload, ct []byte, rec *Record, point string) error {
	if seal != nil {
		key, err := s.loadKey(false)
		if errors.Is(err, errNoKey) {
			return mapi.Errorf(mapi.NoAccess, "spool: no key to authenticate message %s with", rec.ID)
		} else if err != nil {
			return err
		}
		p.Record = *rec
		p.MAC = payloadMAC(key, p)
		plain, err := json.Marshal(p)
		if err != nil {
			return mapi.Wrap(mapi.CallFailed, err, "encode payload")
		}
		if ct, err = seal.Seal(plain); err != nil {
			return err
		}
	}
	d := filepath.Join(s.Dir, dir)
	if err := writeAtomic(d, rec.ID+".age", rec.ID, ct); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write spool payload")
	}
	crashPoint(point)
	return s.writeRecord(dir, rec)
}

// writeRecord writes dir/ID.json atomically.
func (s *Spool) writeRecord(dir string, rec *Record) error {
	b, err := encodeRecord(rec)
	if err != nil {
		return mapi.Wrap(mapi.CallFailed, err, "encode spool record")
	}
	if err := writeAtomic(filepath.Join(s.Dir, dir), rec.ID+".json", rec.ID, b); err != nil {
		return mapi.Wrap(mapi.DiskError, err, "write spool record")
	}
	return nil
}

// Get returns the record of message id (its State says outbox or failed).
// Errors: InvalidParameter for a malformed ID (checked before any file is
// touched), NotFound, CorruptData, DiskError.
func (s *Spool) Get(id string) (*Record, error) {
	if err := mapi.CheckID("message", id); err != nil {
		return nil, err
	}
	_, rec, err := s.find(id)
	return rec, err
}

// Load returns the record and the opened payload of message id. Errors are
// those of [Spool.Get], the opener's *mapi.Error (NoAccess), or CorruptData
// for a payload that does not open or decode.
func (s *Spool) Load(id string, open Opener) (*Record, *Payload, error) {
	if err := mapi.CheckID("message", id); err != nil {
		return nil, nil, err
	}
	dir, rec, err := s.find(id)
	if err != nil {
		return nil, nil, err
	}
	p, _, err := s.loadPayload(dir, id, open)
	if err != nil {
		return nil, nil, err
	}
	return rec, p, nil
}

// loadPayload reads and opens dir/ID.age; it returns the payload and the
// sealed bytes.
func (s *Spool) loadPayload(dir, id string, open Opener) (*Payload, []byte, error) {
	if open == nil {
		return nil, nil, mapi.Errorf(mapi.NoAccess, "spool: no identity to open message %s", id)
	}
	ct, err := os.ReadFile(s.path(dir, id, ".age"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil, mapi.Errorf(mapi.NotFound, "message %s not found", id)
		}
		return nil, nil, mapi.Wrap(mapi.DiskError, err, "read spool payload")
	}
	plain, err := open.Open(ct)
	if err != nil {
		var me *mapi.Error
		if errors.As(err, &me) {
			return nil, nil, err
		}
		return nil, nil, mapi.Errorf(mapi.CorruptData, "corrupt spool payload %s: cannot be decrypted", id)
	}
	p, err := decodePayload(id, plain)
	if err != nil {
		return nil, nil, err
	}
	return p, ct, nil
}

// Payload opens the payload of rec, a record [Spool.List] returned, from
// the directory its State names (no other file is read); when the message
// moved since, it is looked for by name as [Spool.Load] does. Errors are
// Load's.
func (s *Spool) Payload(rec *Record, open Opener) (*Payload, error) {
	dir := outboxDir
	if rec.State == StateFailed {
		dir = failedDir
	}
	p, _, err := s.loadPayload(dir, rec.ID, open)
	if mapi.IsCode(err, mapi.NotFound) {
		_, p, err = s.Load(rec.ID, open)
	}
	return p, err
}
