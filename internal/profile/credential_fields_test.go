package profile

import (
	"slices"
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestSecureField: "" is the password; only string and binary secure tags
// are fields, and the username is no secret to store.
func TestSecureField(t *testing.T) {
	_, s, _ := assignSection(t)
	if tag, err := s.SecureField(""); err != nil || tag != mapi.PrPassword {
		t.Fatalf("default: %v, %v", tag, err)
	}
	if tag, err := s.SecureField("username"); err != nil || tag != mapi.PrUsername {
		t.Fatalf("username: %v, %v", tag, err)
	}
	_, err := s.SecureField("smtp.host")
	wantErr(t, err, mapi.InvalidParameter, "smtp.host is not a secure property")
	_, err = s.SecureField("0x67F00003")
	wantErr(t, err, mapi.InvalidParameter, "only string and binary secure properties")
	_, err = s.SecretField("username")
	wantErr(t, err, mapi.InvalidParameter, "the username is not a secret")
	if tag, err := s.SecretField("0x67F80102"); err != nil || tag != 0x67F80102 {
		t.Fatalf("binary field: %v, %v", tag, err)
	}
}

// TestStoreSecretAndDelete: a secret is stored as its tag's type beside
// the username, listed by name, read back by Field, and deleted by field
// (the range going with its last) or whole.
func TestStoreSecretAndDelete(t *testing.T) {
	p, s, ids := assignSection(t)
	err := p.DeleteCredentials(s, ids, "")
	wantErr(t, err, mapi.NotFound, `section "smtp" has no stored credentials`)
	if err := p.StoreSecret(s, ids, mapi.PrPassword, []byte("pw"), "dana"); err != nil {
		t.Fatal(err)
	}
	if err := p.StoreSecret(s, ids, 0x67F80102, []byte{1, 2}, ""); err != nil {
		t.Fatal(err)
	}
	c, err := s.ReadSecure(ids)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := c.Field(s, mapi.PrPassword); err != nil || v != "pw" {
		t.Fatalf("password: %v, %v", v, err)
	}
	if v, err := c.Field(s, 0x67F80102); err != nil || !slices.Equal(v.([]byte), []byte{1, 2}) {
		t.Fatalf("binary: %v, %v", v, err)
	}
	if names := s.SecureFieldNames(); !slices.IsSorted(names) || len(names) != 3 || !slices.Contains(names, "password") {
		t.Fatalf("names: %v", names)
	}
	err = p.DeleteCredentials(s, ids, "oauth2-token")
	wantErr(t, err, mapi.NotFound, `section "smtp" has no oauth2-token stored`)
	_, err = c.Field(s, mapi.PrOAuth2Token)
	wantErr(t, err, mapi.NotFound, `section "smtp" has no oauth2-token stored`)
	for _, f := range []string{"password", "username", "0x67F80102"} {
		if err := p.DeleteCredentials(s, ids, f); err != nil {
			t.Fatal(f, err)
		}
	}
	if s.Secure != nil {
		t.Fatal("the range outlived its last field")
	}
	if err := p.StoreSecret(s, ids, mapi.PrPassword, []byte("pw"), ""); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteCredentials(s, ids, ""); err != nil || s.Secure != nil || s.SecureFieldNames() != nil {
		t.Fatalf("whole delete: %v, %v", err, s.Secure)
	}
}
