package profile

import (
	"slices"
	"testing"
	"time"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestSecureField: "" is the password; only string, binary and time
// secure tags are fields, and neither the username nor a time is a secret
// to store.
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
	wantErr(t, err, mapi.InvalidParameter, "only string, binary and time secure properties")
	_, err = s.SecretField("username")
	wantErr(t, err, mapi.InvalidParameter, "the username is not a secret")
	if tag, err := s.SecretField("0x67F80102"); err != nil || tag != 0x67F80102 {
		t.Fatalf("binary field: %v, %v", tag, err)
	}
	for _, f := range []string{"oauth2.refresh-token", "oauth2.client-secret", "oauth2-token"} {
		if _, err := s.SecretField(f); err != nil {
			t.Errorf("SecretField(%s): %v", f, err)
		}
	}
	if tag, err := s.SecureField("oauth2.expiry"); err != nil || tag != mapi.PrOAuth2Expiry {
		t.Errorf("SecureField(oauth2.expiry) = %v, %v: get and delete read it", tag, err)
	}
	_, err = s.SecretField("oauth2.expiry")
	wantErr(t, err, mapi.InvalidParameter, "oauth2.expiry is a time, not a secret to store")
}

// Storing an access token drops the expiry of the one it replaces; the
// refresh token and client secret stay.
func TestStoreAccessTokenDropsExpiry(t *testing.T) {
	p, s, ids := assignSection(t)
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	err := p.UpdateSecure(s, ids, func(props map[mapi.Tag]any) error {
		props[mapi.PrOAuth2Token] = "at-1"
		props[mapi.PrOAuth2Expiry] = exp
		props[mapi.PrOAuth2RefreshToken] = "rt"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.ReadSecure(ids); err != nil || c.Props[mapi.PrOAuth2Expiry] != exp {
		t.Fatalf("expiry stored: %v, %v", c, err)
	}
	if err := p.StoreSecret(s, ids, mapi.PrOAuth2ClientSecret, []byte("cs"), ""); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ReadSecure(ids); c.Props[mapi.PrOAuth2Expiry] != exp {
		t.Fatal("storing the client secret dropped the access token's expiry")
	}
	if err := p.StoreSecret(s, ids, mapi.PrOAuth2Token, []byte("at-2"), ""); err != nil {
		t.Fatal(err)
	}
	c, err := s.ReadSecure(ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Props[mapi.PrOAuth2Expiry]; ok {
		t.Error("a new access token kept the old one's expiry")
	}
	if c.Props[mapi.PrOAuth2Token] != "at-2" || c.Props[mapi.PrOAuth2RefreshToken] != "rt" || c.Props[mapi.PrOAuth2ClientSecret] != "cs" {
		t.Errorf("props after storing the token: %v", c.Props)
	}
	if err := p.DeleteCredentials(s, ids, "oauth2.refresh-token"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.ReadSecure(ids); c.Props[mapi.PrOAuth2RefreshToken] != nil || c.Props[mapi.PrOAuth2Token] != "at-2" {
		t.Errorf("delete --field oauth2.refresh-token: %v", c.Props)
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
