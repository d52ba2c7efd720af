package delivery

import (
	"fmt"
	"path/filepath"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/secure"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
)

// ResealSession re-seals the messages queued under session snap (in the
// outbox and in failed/) to the session's other spool recipients (the
// store's identity.pub), without its key, so that the token no longer opens
// them once the session is logged off (issue 24, point 9). It needs only
// the token's key. A message that cannot be re-sealed is left as it was
// (sp.Warn hears of it). When messages are queued under the session but it
// has no other spool recipient, nothing is re-sealed and the error says
// how many stay sealed to its key; with no message, it returns nil.
func ResealSession(sp *spool.Spool, snap *session.Snapshot) error {
	ids := sp.BySession(snap.ID)
	if len(ids) == 0 {
		return nil
	}
	rs := snap.StoreRecipients()
	if len(rs) == 0 {
		return fmt.Errorf("%d message(s) queued under session %s stay sealed to its key: the session has no other spool recipient", len(ids), snap.ID)
	}
	_, _ = sp.Reseal(func(r *spool.Record) bool { return r.Session == snap.ID }, SessionOpener(snap), Sealer(rs))
	return nil
}

// ResealOrphans re-seals those of messages ids (read by name) that are
// queued under sessions no longer live (expired, or logged off without
// their token, so logoff could not re-seal them) to the store's
// identity.pub, opened with op; nil ids means every message of the spool.
// Without an
// identity.pub, or when the sessions cannot be listed, it does nothing.
// Messages op cannot open (no access, unconfigured, logon failed, the user
// cancelled) are left for a later flush, silently: the flush itself has
// already reported them; other failures go to sp.Warn.
func (k Keys) ResealOrphans(sp *spool.Spool, op spool.Opener, ids []string) {
	pub, err := secure.ParseRecipientsFile(filepath.Join(k.StoreDir, profile.RecipientFile))
	if err != nil || len(pub) == 0 {
		return
	}
	live, err := session.List(k.StoreDir, k.now())
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
		if sp.Warn != nil {
			sp.Warn(id, err)
		}
	}
	orphan := func(r *spool.Record) bool {
		return r.State == spool.StateQueued && r.Session != "" && !isLive[r.Session]
	}
	if ids == nil {
		_, _ = quiet.Reseal(orphan, op, Sealer(pub))
		return
	}
	_, _ = quiet.ResealIDs(ids, orphan, op, Sealer(pub))
}
