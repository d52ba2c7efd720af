package account

import (
	"context"
	"errors"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/transport"
)

func TestWorst(t *testing.T) {
	busy := mapi.Errorf(mapi.NetworkError, "later").WithExit(mapi.ExitQueued)
	auth := InboundError("a", &transport.Error{Kind: transport.KindAuth, Stage: transport.StageAuth, Message: "no"})
	corrupt := mapi.Errorf(mapi.CorruptData, "uidvalidity")
	for _, c := range []struct {
		errs []error
		want int
	}{
		{nil, 0},
		{[]error{nil, nil}, 0},
		{[]error{busy}, 75},
		{[]error{busy, corrupt}, 65},
		{[]error{corrupt, busy, auth}, 77},
		{[]error{nil, auth, corrupt}, 77},
	} {
		got := Worst(c.errs)
		if (got == nil) != (c.want == 0) || got != nil && mapi.AsError(got).ExitStatus() != c.want {
			t.Errorf("Worst(%v) = %v, want exit %d", c.errs, got, c.want)
		}
	}
	if e := mapi.AsError(auth); e.Code != mapi.LogonFailed || len(e.Hints) == 0 || transport.ErrorDetail(e).Stage != "auth" {
		t.Errorf("InboundError: %+v", e)
	}
}

// Under a session the accounts come from the snapshot (profile uid
// included): every section with an inbound side, or those named.
func TestReceivingFromSession(t *testing.T) {
	in := &session.InboundSettings{Protocol: "imap", Host: "h", Mailbox: "INBOX", Keep: true, Maildir: "/m"}
	snap := &session.Snapshot{Profile: "w", ProfileUID: "pu", Sections: []session.SectionSnapshot{
		{Settings: session.Settings{Section: "out", SectionUID: "u1", Transport: "maildir"}},
		{Settings: session.Settings{Section: "in", SectionUID: "u2", Transport: "none", Inbound: in},
			Credentials: session.Credentials{Username: "u", Password: "p", InboundPassword: "ip"}},
	}}
	r := &Resolver{Session: snap, Identities: func() ([]age.Identity, error) { return nil, errors.New("no identity needed") }}
	accts, err := r.Receiving(nil)
	if err != nil || len(accts) != 1 || accts[0].Name != "in" || accts[0].ProfileUID != "pu" {
		t.Fatalf("Receiving(nil) = %v, %v", accts, err)
	}
	c, err := r.InboundCredentials(accts[0])
	if err != nil || c.Inbound().Password != "ip" || c.Inbound().Username != "u" {
		t.Fatalf("InboundCredentials = %+v, %v", c, err)
	}
	if ia := accts[0].InboundAccount(c); ia.ProfileUID != "pu" || ia.SectionUID != "u2" || ia.User != "u" || ia.Mailbox != "INBOX" {
		t.Errorf("InboundAccount = %+v", ia)
	}
	if _, err := r.Receiving([]string{"out"}); !mapi.IsCode(err, mapi.Unconfigured) {
		t.Errorf("a section without an inbound side: %v", err)
	}
	if _, err := r.Receiving([]string{"nope"}); !mapi.IsCode(err, mapi.NotFound) {
		t.Errorf("a section the session lacks: %v", err)
	}
	// A session logged on before it kept the profile uid cannot fetch.
	snap.ProfileUID = ""
	accts, _ = r.Receiving(nil)
	if _, err := Fetch(context.Background(), t.TempDir(), accts[0], c, FetchOptions{}); !mapi.IsCode(err, mapi.Unconfigured) {
		t.Errorf("fetch without a profile uid: %v", err)
	}
}
