package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// maildirTransport delivers one copy of each message into a Maildir.
type maildirTransport struct {
	root string
	host string // sanitised for file names
}

func newMaildir(cfg Config) (*maildirTransport, error) {
	if cfg.MaildirPath == "" {
		return nil, configErr("maildir path not set")
	}
	h := strings.NewReplacer("/", `\057`, ":", `\072`).Replace(hostname(cfg.Hostname))
	return &maildirTransport{root: cfg.MaildirPath, host: h}, nil
}

// Send writes msg to tmp/NAME (0600), syncs it, links it to new/NAME,
// removes tmp/NAME and syncs new/. CRLF line endings are stored as LF, the
// local convention mail readers expect; nothing else is changed or added.
// The Maildir (tmp, new, cur) is created 0700 if missing. Result.Accepted is
// env.To. Errors are *Error of stage "deliver" (KindTemporary for I/O
// failures) or an envelope error.
func (m *maildirTransport) Send(ctx context.Context, env *Envelope, msg []byte) (*Result, error) {
	if err := checkEnvelope(env); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, classify(ctx, StageDeliver, err)
	}
	if err := m.deliver(bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))); err != nil {
		return nil, &Error{Kind: KindTemporary, Stage: StageDeliver, Err: err,
			Message: "maildir delivery failed: " + err.Error()}
	}
	return &Result{Accepted: append([]string(nil), env.To...)}, nil
}

// Close does nothing.
func (m *maildirTransport) Close() error { return nil }

func (m *maildirTransport) deliver(msg []byte) error {
	for _, d := range []string{"tmp", "new", "cur"} {
		if err := os.MkdirAll(filepath.Join(m.root, d), 0o700); err != nil {
			return err
		}
	}
	name := m.uniqueName()
	tmp := filepath.Join(m.root, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after the link, or on any error
	if _, err := f.Write(msg); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	dst := filepath.Join(m.root, "new", name)
	if err := os.Link(tmp, dst); err != nil {
		if _, serr := os.Lstat(dst); serr == nil {
			return err // never overwrite a delivered message
		}
		if err := os.Rename(tmp, dst); err != nil { // no hard links here
			return err
		}
	}
	return syncDir(filepath.Join(m.root, "new"))
}

var maildirSeq atomic.Uint64

// uniqueName returns "SECONDS.MmicrosPpidQseqRrand.HOST" (the Maildir
// spec's time.pid_rand.host, modern form).
func (m *maildirTransport) uniqueName() string {
	now := time.Now()
	r := make([]byte, 8)
	rand.Read(r)
	return fmt.Sprintf("%d.M%06dP%dQ%dR%s.%s", now.Unix(), now.Nanosecond()/1000,
		os.Getpid(), maildirSeq.Add(1), hex.EncodeToString(r), m.host)
}
