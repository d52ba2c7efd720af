package secure

import (
	"regexp"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

func TestMarshalIdentityFile(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, pq := range []bool{false, true} {
		k := newKey(t, pq)
		b, err := MarshalIdentityFile(k, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		want := "# created: 2025-03-01T12:00:00Z\n# public key: " + k.Recipient + "\n" + k.Identity + "\n"
		if string(b) != want {
			t.Fatalf("got\n%s\nwant\n%s", b, want)
		}
		if IsPQ(k.Recipient) != pq || IsPQ(k.Identity) != pq {
			t.Fatalf("GenerateKey(%v) made %.12s…", pq, k.Recipient)
		}
	}
	_, err := MarshalIdentityFile(&KeyPair{Identity: newKey(t, false).Identity, Recipient: newKey(t, false).Recipient}, nil, now)
	wantCode(t, err, mapi.InvalidParameter, "does not match")
	_, err = MarshalIdentityFile(&KeyPair{Identity: "AGE-SECRET-KEY-1XYZ"}, nil, now)
	wantCode(t, err, mapi.InvalidParameter, "")
}

func TestIdentityFromKey(t *testing.T) {
	for _, pq := range []bool{false, true} {
		k := newKey(t, pq)
		id, err := IdentityFromKey(" " + k.Identity + "\n")
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := RecipientsOf(append(load(t, Source{KeyText: k.Identity})[:0], id))
		if len(rs) != 1 || rs[0] != k.Recipient {
			t.Fatalf("recipient = %q, want %q", rs, k.Recipient)
		}
	}
	secretish := regexp.MustCompile(`AGE-SECRET-KEY-1[0-9A-Z]{10}`)
	for _, bad := range []string{"", "age1abc", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQ", "AGE-SECRET-KEY-PQ-1ZZ"} {
		_, err := IdentityFromKey(bad)
		wantCode(t, err, mapi.InvalidParameter, "")
		if secretish.MatchString(err.Error()) {
			t.Errorf("error echoes the key: %v", err)
		}
	}
}
