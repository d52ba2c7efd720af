package spool

import (
	"os"
	"path/filepath"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/transport"
)

// Sealer encrypts a payload to the spool recipients.
type Sealer interface {
	Seal(plain []byte) ([]byte, error)
}

// Opener decrypts a sealed payload; it returns a *mapi.Error NoAccess when
// no identity it holds can open it.
type Opener interface {
	Open(ct []byte) ([]byte, error)
}

// Record states.
const (
	StateQueued = "queued"
	StateFailed = "failed"
)

// Directory names under [Spool.Dir].
const (
	outboxDir = "outbox"
	failedDir = "failed"
	sentLog   = "sent.log"
)

// Spool is a spool directory (<store>/spool). The zero Now means time.Now.
// Warn, if set, receives problems that List, Flush and Recover skip over
// (an unreadable record, an orphan payload that cannot be opened); the
// errors are *mapi.Error and name no address.
type Spool struct {
	Dir  string
	Now  func() time.Time
	Warn func(id string, err error)
}

// Payload is the sealed part of a message (outbox/ID.age): the envelope, the
// message, a copy of the [Record] (so a lost .json can be rebuilt) and, once
// delivery failed, the reason, the server's reply, per-recipient rejections
// and a non-delivery report.
type Payload struct {
	From         string
	To           []string
	DSNNotify    []string
	DSNReturn    string
	EnvID        string
	Body         string
	Message      []byte
	Reason       string
	SMTPCode     int
	EnhancedCode string
	Stage        string
	Rejected     []transport.Rejection
	NDR          []byte
	Record       Record
	// MAC authenticates the payload as queued by this store (see
	// payloadMAC); empty in payloads queued before it existed.
	MAC []byte `json:",omitempty"`
}

// envelope returns the transport envelope of p.
func (p *Payload) envelope() *transport.Envelope {
	return &transport.Envelope{From: p.From, To: append([]string(nil), p.To...),
		DSNNotify: p.DSNNotify, DSNReturn: p.DSNReturn, EnvID: p.EnvID, Body: p.Body}
}

// Open returns the spool at dir, creating dir, outbox/ and failed/ with mode
// 0700 (chmod'ed, whatever the umask). Errors are *mapi.Error DiskError.
func Open(dir string) (*Spool, error) {
	for _, d := range []string{dir, filepath.Join(dir, outboxDir), filepath.Join(dir, failedDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "create spool directory")
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, mapi.Wrap(mapi.DiskError, err, "chmod spool directory")
		}
	}
	return &Spool{Dir: dir}, nil
}

func (s *Spool) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Spool) warn(id string, err error) {
	if s.Warn != nil && err != nil {
		s.Warn(id, err)
	}
}

// path returns Dir/dir/ID.ext.
func (s *Spool) path(dir, id, ext string) string {
	return filepath.Join(s.Dir, dir, id+ext)
}

// testOnlyCrashAt, when set by a test, is called at named points of every
// multi-step change; it panics to simulate a crash there.
var testOnlyCrashAt func(point string)

func crashPoint(point string) {
	if testOnlyCrashAt != nil {
		testOnlyCrashAt(point)
	}
}
