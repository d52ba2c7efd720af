package main

// Shared delivery wiring for message send, sendmail, spool and session
// logoff: the spool of the store, and its outbox keys (internal/delivery)
// with this run's identities and clock; the warnings they give are
// printed here.

import (
	"os"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/delivery"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
)

// openSpool opens <store>/spool with mapictl's clock; problems the spool
// skips over are printed as warnings.
func (f *factory) openSpool() (*spool.Spool, error) {
	sp, err := spool.Open(filepath.Join(f.StoreDir(), "spool"))
	if err != nil {
		return nil, err
	}
	sp.Now = nowFunc
	sp.Warn = func(id string, err error) { f.warnf("spool: message %s: %s", id, mapi.AsError(err).Msg) }
	return sp, nil
}

// outboxKeys are who the store's outbox is sealed to and opened by; the
// store identities are loaded (perhaps with a prompt) only when needed.
func (f *factory) outboxKeys() delivery.Keys {
	return delivery.Keys{StoreDir: f.StoreDir(), Identities: f.Identities, Now: nowFunc}
}

// resealSessionSpool re-seals the messages queued under session snap to
// the store's identity.pub before logoff (delivery.ResealSession), warning
// about what stays sealed to the session's key.
func (f *factory) resealSessionSpool(snap *session.Snapshot) {
	if _, err := os.Stat(filepath.Join(f.StoreDir(), "spool")); err != nil {
		return // nothing was ever queued
	}
	sp, err := f.openSpool()
	if err != nil {
		f.warnf("spool: cannot re-seal the messages of session %s: %s", snap.ID, mapi.AsError(err).Msg)
		return
	}
	if err := delivery.ResealSession(sp, snap); err != nil {
		f.warnf("spool: %v", err)
	}
}
