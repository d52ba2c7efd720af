package profile

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestReviewCheckAccept(t *testing.T) {
	p := New("team", []string{"age1x"})
	p.Trust = &Trust{Reason: "replaced", Signed: true}
	r := &Review{Profile: p, Fingerprint: "SHA256:new", PinnedFingerprint: "SHA256:old", KeyReplaced: true}
	for _, c := range []struct {
		owner bool
		key   string
		code  *mapi.Code
	}{
		{false, "", &mapi.NoAccess},            // a member needs --key for a replaced key
		{true, "", nil},                        // an owner re-signs
		{false, "SHA256:new", nil},             // the key checked out of band
		{true, "SHA256:other", &mapi.NoAccess}, // not the key it is signed with
	} {
		r.Owner = c.owner
		err := r.CheckAccept(c.key, nil)
		if (c.code == nil) != (err == nil) || (err != nil && mapi.AsError(err).Code != *c.code) {
			t.Errorf("owner %v key %q: %v", c.owner, c.key, err)
		}
	}
	if r.Settled() || r.NeedsKey() {
		t.Fatalf("Settled %v NeedsKey %v", r.Settled(), r.NeedsKey())
	}
	r.PinnedFingerprint = ""
	if !r.NeedsKey() {
		t.Fatal("no pin: --yes should need --key")
	}
	r.Legacy = true
	if r.NeedsKey() {
		t.Fatal("a file from before owners needs no --key")
	}
	p.Trust.Verified = true
	if !r.Settled() {
		t.Fatal("verified, nothing dropped: not settled")
	}
}

func TestReviewWriteText(t *testing.T) {
	p := New("team", []string{"age1x"})
	p.Trust = &Trust{Reason: "new to this store", Signed: true}
	r := &Review{Profile: p, Fingerprint: "SHA256:k", Changes: []string{"smtp.host: a -> b"}, Dropped: []string{"old"}}
	var b bytes.Buffer
	r.WriteText(&b, nil)
	for _, want := range []string{"signing key: SHA256:k (new to this store; check it with an owner)\n",
		"you read no section's credentials\n", "settings (this store verified no earlier version):\n",
		"  smtp.host: a -> b\n", "  section old: credentials no owner can open: removed on accept\n",
		"accepting pins signing key SHA256:k at version 0\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
