package profile

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
)

func assignSection(t *testing.T) (*Profile, *Section, []age.Identity) {
	t.Helper()
	owner := testKey(t)
	p := New("w", []string{owner.Recipient().String()})
	s, err := p.AddSection("smtp", KindTransport, "smtp")
	if err != nil {
		t.Fatal(err)
	}
	return p, s, []age.Identity{owner}
}

func wantErr(t *testing.T, err error, c mapi.Code, sub string) {
	t.Helper()
	if !mapi.IsCode(err, c) || !strings.Contains(err.Error(), sub) {
		t.Fatalf("error %v, want %s containing %q", err, c.Name, sub)
	}
}

// TestParseAssignments: pairs parse by name or tag; a missing "=", a
// secure or reserved tag and a bad value are refused, and no error quotes
// a value; a relative smtp.ca-file becomes absolute.
func TestParseAssignments(t *testing.T) {
	_, s, _ := assignSection(t)
	as, err := s.ParseAssignments([]string{"smtp.host=mail.example.com", "smtp.port=465", "smtp.ca-file=certs/ca.pem", "smtp.ca-file="})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("certs/ca.pem")
	want := []Assignment{{mapi.PrSMTPHost, "mail.example.com"}, {mapi.PrSMTPPort, int32(465)}, {mapi.PrSMTPCAFile, abs}, {mapi.PrSMTPCAFile, ""}}
	if !slices.Equal(as, want) {
		t.Fatalf("got %v, want %v", as, want)
	}
	for _, c := range []struct {
		pair string
		code mapi.Code
		sub  string
	}{
		{"smtp.host", mapi.InvalidParameter, `want PROP=VALUE, got "smtp.host"`},
		{strings.Repeat("x", 50), mapi.InvalidParameter, strings.Repeat("x", 40) + "…"},
		{"password=hunter2", mapi.InvalidParameter, "secure property and cannot be given on the command line"},
		{"PR_PROVIDER_UID=00", mapi.InvalidParameter, "maintained by mapictl"},
		{"smtp.port=many", mapi.InvalidParameter, ""},
	} {
		_, err := s.ParseAssignments([]string{c.pair})
		wantErr(t, err, c.code, c.sub)
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error %q quotes the value", c.pair, err)
		}
	}
}

// TestAssignUnsetRebind: Assign and Unset name the bound settings they
// change, not the others nor a value set again; Rebind re-binds only a
// section with a range and a change.
func TestAssignUnsetRebind(t *testing.T) {
	p, s, ids := assignSection(t)
	changed, err := s.Assign([]Assignment{{mapi.PrSMTPHost, "a.example"}, {mapi.PrSMTPHelo, "me"}})
	if err != nil || !slices.Equal(changed, []string{"smtp.host: unset -> a.example"}) {
		t.Fatalf("first Assign: %v, %v", changed, err)
	}
	changed, err = s.Assign([]Assignment{{mapi.PrSMTPHost, "a.example"}, {mapi.PrSMTPPort, int32(25)}})
	if err != nil || !slices.Equal(changed, []string{"smtp.port: unset -> 25"}) {
		t.Fatalf("second Assign: %v, %v", changed, err)
	}
	var warned []string
	warnf := func(format string, a ...any) { warned = append(warned, fmt.Sprintf(format, a...)) }
	if err := p.Rebind(s, ids, changed, warnf); err != nil || warned != nil {
		t.Fatalf("Rebind without a range: %v, %q", err, warned)
	}
	if err := p.StoreSecret(s, ids, mapi.PrPassword, []byte("pw"), ""); err != nil {
		t.Fatal(err)
	}
	changed, err = s.Unset([]string{"smtp.helo", "smtp.port"})
	if err != nil || !slices.Equal(changed, []string{"smtp.port: 25 -> unset"}) {
		t.Fatalf("Unset: %v, %v", changed, err)
	}
	if _, err := s.ReadSecure(ids); !mapi.IsCode(err, mapi.NoAccess) {
		t.Fatalf("before Rebind: %v, want NoAccess", err)
	}
	if err := p.Rebind(s, ids, nil, warnf); err != nil || warned != nil {
		t.Fatalf("Rebind with no change: %v, %q", err, warned)
	}
	if err := p.Rebind(s, ids, changed, warnf); err != nil ||
		!slices.Equal(warned, []string{`credentials of section "smtp" re-bound: smtp.port: 25 -> unset`}) {
		t.Fatalf("Rebind: %v, %q", err, warned)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrPassword] != "pw" {
		t.Fatalf("after Rebind: %v, %v", c, err)
	}
	for _, c := range []struct {
		key  string
		code mapi.Code
		sub  string
	}{
		{"password", mapi.InvalidParameter, "password is a secure property"},
		{"PR_PROVIDER_UID", mapi.InvalidParameter, "maintained by mapictl"},
		{"transport", mapi.InvalidParameter, "maintained by mapictl"},
		{"smtp.helo", mapi.NotFound, `section "smtp" has no property smtp.helo`},
	} {
		_, err := s.Unset([]string{c.key})
		wantErr(t, err, c.code, c.sub)
	}
}
