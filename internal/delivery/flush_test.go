package delivery

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mapictl/mapictl/internal/spool"
)

// Flush delivers what fo selects, then re-seals the orphans of gone
// sessions; without recipients to re-seal to it touches nothing.
func TestKeysFlush(t *testing.T) {
	s := newStore(t, true)
	sp := s.spool(t)
	gone := sessionSnap(newKey(t), s.key.rcp)
	seal := Sealer{gone.SpoolRecipients[0], s.key.rcp}
	orphan, err := sp.Enqueue(seal, "p", "other", gone.ID, payload())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sp.Enqueue(seal, "p", "uid", "", payload())
	if err != nil {
		t.Fatal(err)
	}
	outs, err := s.keys.Flush(context.Background(), sp, nil, spool.FlushOptions{SectionUID: "uid",
		Resolve: maildirResolver(t, filepath.Join(t.TempDir(), "mail"))})
	if err != nil || len(outs) != 1 || outs[0].ID != plain || outs[0].State != "sent" {
		t.Fatalf("Flush = %+v, %v; want %s sent", outs, err, plain)
	}
	if opens(SessionOpener(gone), sealedPayload(t, s, orphan)) {
		t.Error("the orphan of a gone session was not re-sealed")
	}

	bare := newStore(t, false)
	bare.failingIdentities()
	bsp := bare.spool(t)
	if outs, err := bare.keys.Flush(context.Background(), bsp, nil, spool.FlushOptions{}); err == nil || outs != nil {
		t.Fatalf("Flush without recipients = %+v, %v; want the error", outs, err)
	}
}
