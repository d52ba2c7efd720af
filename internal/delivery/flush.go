package delivery

import (
	"context"

	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
)

// Flush delivers the queued messages of sp that fo selects (its IDs, Due,
// SectionUID, Resolve and Progress are the caller's) under session snap
// (nil for none): opened with k.Opener(snap), re-sealed to
// k.Recipients(snap). When the flush ran to its end, the queued messages
// of sessions that are gone are re-sealed to the store (ResealOrphans): a
// flush of the whole outbox looks only at those it saw queued under a
// session (so the spool is not read again), one of a section or of some
// IDs at every message. A
// flush stopped by ctx (spool.Interrupted) re-seals nothing; neither does
// one that failed. Flush's outcomes and error are returned as they are; an
// error of Recipients comes before any message is touched.
func (k Keys) Flush(ctx context.Context, sp *spool.Spool, snap *session.Snapshot, fo spool.FlushOptions) ([]spool.Outcome, error) {
	fo.Open = k.Opener(snap)
	var err error
	if fo.Seal, err = k.Recipients(snap); err != nil {
		return nil, err
	}
	outs, err := sp.Flush(ctx, fo)
	if err == nil && ctx.Err() == nil {
		if fo.SectionUID != "" || fo.IDs != nil {
			// It saw only some messages: look at them all.
			k.ResealOrphans(sp, fo.Open, nil)
		} else if ids := queuedUnderSessions(outs); len(ids) > 0 {
			k.ResealOrphans(sp, fo.Open, ids)
		}
	}
	return outs, err
}

// queuedUnderSessions are the IDs of outs that stay queued under a session.
func queuedUnderSessions(outs []spool.Outcome) []string {
	var ids []string
	for _, oc := range outs {
		if oc.State == spool.StateQueued && oc.Session != "" {
			ids = append(ids, oc.ID)
		}
	}
	return ids
}
