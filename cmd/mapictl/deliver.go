package main

// Shared delivery wiring for message send, spool and (later) sendmail: the
// spool of the store, the keys it is sealed with and opened by, and the
// resolver that turns a spool record into a transport.

import (
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
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

// sealer encrypts spool payloads to a fixed list of age recipients.
type sealer []string

func (s sealer) Seal(plain []byte) ([]byte, error) { return secure.Encrypt(plain, s) }

// spoolRecipients returns who queued messages are sealed to: the store's
// identity.pub (so queueing needs no unlock), else the recipients of the
// identities in use; under a session, also the session's SpoolRecipients
// (and then the profile identity is never loaded).
func (f *factory) spoolRecipients(snap *session.Snapshot) (sealer, error) {
	var rs []string
	if snap != nil {
		rs = append(rs, snap.SpoolRecipients...)
	}
	pub := filepath.Join(f.StoreDir(), profile.RecipientFile)
	switch got, err := secure.ParseRecipientsFile(pub); {
	case err == nil:
		rs = append(rs, got...)
	case snap != nil && len(rs) > 0:
		// The session's recipients are enough.
	default:
		if _, serr := os.Stat(pub); serr == nil {
			return nil, err
		}
		ids, err := f.Identities()
		if err != nil {
			return nil, err
		}
		got, err := secure.RecipientsOf(ids)
		if err != nil {
			return nil, err
		}
		rs = append(rs, got...)
	}
	return sealer(dedupe(rs)), nil
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// opener opens spool payloads with the session key first (when a session
// is current), then the store identities, loaded only when needed.
type opener struct {
	f    *factory
	snap *session.Snapshot
}

func (o opener) Open(ct []byte) ([]byte, error) {
	var first error
	if o.snap != nil {
		ids := []age.Identity{}
		if o.snap.Key != nil {
			ids = append(ids, o.snap.Key)
		}
		if o.snap.Identity != "" {
			if id, err := secure.IdentityFromKey(o.snap.Identity); err == nil {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			pt, err := secure.Decrypt(ct, ids)
			if err == nil || !mapi.IsCode(err, mapi.NoAccess) {
				return pt, err
			}
			first = err
		}
	}
	ids, err := o.f.Identities()
	if err != nil {
		if first != nil {
			return nil, first
		}
		return nil, err
	}
	return secure.Decrypt(ct, ids)
}

// sessionOpener opens spool payloads with a session's own identities only
// (its key, and the identity its snapshot carries): it never loads the
// store's identity, so logoff needs neither it nor a passphrase.
type sessionOpener struct{ snap *session.Snapshot }

func (o sessionOpener) Open(ct []byte) ([]byte, error) {
	ids := o.snap.Identities()
	if len(ids) == 0 {
		return nil, mapi.Errorf(mapi.NoAccess, "the session has no key")
	}
	return secure.Decrypt(ct, ids)
}

// resealSessionSpool re-seals the messages queued under session snap (in
// the outbox and in failed/) to the session's other spool recipients (the
// store's identity.pub), without its key, so that the token no longer opens
// them once the session is logged off (issue 24, point 9). It needs only the
// token's key. What cannot be re-sealed is left as it was and warned about.
func (f *factory) resealSessionSpool(snap *session.Snapshot) {
	if _, err := os.Stat(filepath.Join(f.StoreDir(), "spool")); err != nil {
		return // nothing was ever queued
	}
	sp, err := f.openSpool()
	if err != nil {
		f.warnf("spool: cannot re-seal the messages of session %s: %s", snap.ID, mapi.AsError(err).Msg)
		return
	}
	ids := sp.BySession(snap.ID)
	if len(ids) == 0 {
		return
	}
	rs := snap.StoreRecipients()
	if len(rs) == 0 {
		f.warnf("spool: %d message(s) queued under session %s stay sealed to its key: the session has no other spool recipient", len(ids), snap.ID)
		return
	}
	_, _ = sp.Reseal(func(r *spool.Record) bool { return r.Session == snap.ID }, sessionOpener{snap}, sealer(rs))
}

// resealOrphans re-seals the queued messages of sessions that are no longer
// live (expired, or logged off without their token, so logoff could not
// re-seal them) to the store's identity.pub, opened with op. Messages op
// cannot open are left for a later flush, silently: the flush itself has
// already reported them.
func (f *factory) resealOrphans(sp *spool.Spool, op spool.Opener) {
	pub, err := secure.ParseRecipientsFile(filepath.Join(f.StoreDir(), profile.RecipientFile))
	if err != nil || len(pub) == 0 {
		return
	}
	live, err := session.List(f.StoreDir(), nowFunc())
	if err != nil {
		return
	}
	isLive := map[string]bool{}
	for _, m := range live {
		isLive[m.ID] = true
	}
	quiet := *sp
	quiet.Warn = func(id string, err error) {
		for _, c := range []mapi.Code{mapi.NoAccess, mapi.Unconfigured, mapi.LogonFailed, mapi.UserCancel} {
			if mapi.IsCode(err, c) {
				return
			}
		}
		sp.Warn(id, err)
	}
	_, _ = quiet.Reseal(func(r *spool.Record) bool {
		return r.State == spool.StateQueued && r.Session != "" && !isLive[r.Session]
	}, op, sealer(pub))
}
