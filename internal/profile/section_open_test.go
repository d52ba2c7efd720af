package profile

import (
	"errors"
	"slices"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestOpenProps: without names every property in tag order, the secure
// ones only with withSecure; named ones in the order given, each present;
// the identities are asked for only when the range is to be read.
func TestOpenProps(t *testing.T) {
	p, s, ids := assignSection(t)
	s.Props[mapi.PrSMTPHost] = "mail.example"
	s.Props[mapi.PrSMTPPort] = int32(587)
	if err := p.StoreSecret(s, ids, mapi.PrPassword, []byte("pw"), "dana"); err != nil {
		t.Fatal(err)
	}
	calls := 0
	idsFn := func() ([]age.Identity, error) { calls++; return ids, nil }

	tags, _, err := s.OpenProps(nil, false, idsFn)
	if err != nil || calls != 0 || !slices.IsSorted(tags) || slices.ContainsFunc(tags, mapi.Tag.Secure) {
		t.Fatalf("plain: %v, %v, %d identity calls", tags, err, calls)
	}
	tags, vals, err := s.OpenProps(nil, true, idsFn)
	if err != nil || calls != 1 || !slices.IsSorted(tags) || !slices.Contains(tags, mapi.PrPassword) || vals[mapi.PrUsername] != "dana" {
		t.Fatalf("--secure: %v, %v, %v", tags, vals, err)
	}
	tags, vals, err = s.OpenProps([]string{"smtp.port", "password"}, false, idsFn)
	if err != nil || !slices.Equal(tags, []mapi.Tag{mapi.PrSMTPPort, mapi.PrPassword}) || vals[mapi.PrPassword] != "pw" {
		t.Fatalf("--prop: %v, %v, %v", tags, vals, err)
	}
	_, _, err = s.OpenProps([]string{"smtp.helo"}, false, idsFn)
	wantErr(t, err, mapi.NotFound, `section "smtp" has no property smtp.helo`)

	boom := errors.New("no identity")
	_, _, err = s.OpenProps([]string{"username"}, false, func() ([]age.Identity, error) { return nil, boom })
	if err != boom {
		t.Fatalf("identity error: %v", err)
	}
	if _, _, err = s.OpenProps([]string{"no.such"}, false, idsFn); err == nil {
		t.Fatal("an unknown name parsed")
	}
}
