package session

import (
	"slices"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/secure"
)

// TestStoreRecipients: after logoff the spool is re-sealed to the session's
// spool recipients without its own key's (issue 24, point 9), for both
// kinds of key; the token's key opens what it is given, and nothing else.
func TestStoreRecipients(t *testing.T) {
	for _, pq := range []bool{false, true} {
		store, err := secure.GenerateKey(pq)
		if err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		s := snap("u1", true)
		s.SpoolRecipients = []string{store.Recipient}
		tok, err := Create(root, s, pq)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Open(root, tok, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.SpoolRecipients) != 2 {
			t.Fatalf("pq=%v: spool recipients %v", pq, got.SpoolRecipients)
		}
		if rs := got.StoreRecipients(); !slices.Equal(rs, []string{store.Recipient}) {
			t.Fatalf("pq=%v: StoreRecipients = %v, want the store's only", pq, rs)
		}
		if ids := got.Identities(); len(ids) != 1 {
			t.Fatalf("pq=%v: identities %d", pq, len(ids))
		}
		got.Key = nil
		if rs := got.StoreRecipients(); rs != nil {
			t.Fatalf("pq=%v: without a key: %v", pq, rs)
		}
	}
}
