package spool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// Record is a message's plaintext delivery state (ID.json). It holds no
// address, no subject and no reason text: the reason stays in the sealed
// [Payload]. Rev grows by one on every move between outbox/ and failed/ and
// decides which copy wins after a crash (see the package doc).
type Record struct {
	ID          string    `json:"id"`
	Profile     string    `json:"profile"`
	SectionUID  string    `json:"section_uid"`
	State       string    `json:"state"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	Created     time.Time `json:"created"`
	LastAttempt time.Time `json:"last_attempt"`
	ErrorKind   string    `json:"error_kind"`
	Session     string    `json:"session"`
	Rev         int       `json:"rev"`
}

// validErrorKinds are the values of Record.ErrorKind.
var validErrorKinds = map[string]bool{"": true, "temporary": true, "permanent": true,
	"auth": true, "tls": true, "config": true, "local": true}

// check reports what is wrong with r, or nil.
func (r *Record) check() error {
	switch {
	case !mapi.ValidID(r.ID):
		return fmt.Errorf("malformed id")
	case r.State != StateQueued && r.State != StateFailed:
		return fmt.Errorf("unknown state")
	case r.Attempts < 0 || r.Rev < 0:
		return fmt.Errorf("negative counter")
	case !validErrorKinds[r.ErrorKind]:
		return fmt.Errorf("unknown error kind")
	case r.Session != "" && !mapi.ValidID(r.Session):
		return fmt.Errorf("malformed session id")
	}
	for _, t := range []time.Time{r.Created, r.NextAttempt, r.LastAttempt} {
		if y := t.UTC().Year(); y < 0 || y > 9999 {
			return fmt.Errorf("time out of range")
		}
	}
	return nil
}

// encodeRecord returns r as JSON (times in UTC) and a final newline.
func encodeRecord(r *Record) ([]byte, error) {
	c := *r
	c.NextAttempt, c.Created, c.LastAttempt = c.NextAttempt.UTC(), c.Created.UTC(), c.LastAttempt.UTC()
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodeRecord parses and checks a record. Errors are *mapi.Error
// CorruptData naming the message ID, never the file's contents.
func decodeRecord(id string, b []byte) (*Record, error) {
	var r Record
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&r); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "corrupt spool record %s: not valid json", id)
	}
	if d.More() {
		return nil, mapi.Errorf(mapi.CorruptData, "corrupt spool record %s: trailing data", id)
	}
	if err := r.check(); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "corrupt spool record %s: %v", id, err)
	}
	if r.ID != id {
		return nil, mapi.Errorf(mapi.CorruptData, "corrupt spool record %s: id does not match file name", id)
	}
	return &r, nil
}

// decodePayload parses an opened payload. Errors are CorruptData.
func decodePayload(id string, b []byte) (*Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, mapi.Errorf(mapi.CorruptData, "corrupt spool payload %s: not valid json", id)
	}
	return &p, nil
}
