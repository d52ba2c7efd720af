package mapi

import "testing"

// The OAuth 2.0 aliases of SPEC §8 resolve to the table's tags and types,
// the settings lie in 0x6620–0x662F (the range binds/2 covers by ID, and
// only transport sections know), and the refresh token, client secret and
// expiry lie in the secure range.
func TestOAuth2Aliases(t *testing.T) {
	want := map[string]Tag{
		"oauth2.provider": 0x6620001F, "oauth2.client-id": 0x6621001F, "oauth2.tenant": 0x6622001F,
		"oauth2.issuer": 0x6623001F, "oauth2.auth-url": 0x6624001F, "oauth2.token-url": 0x6625001F,
		"oauth2.device-url": 0x6626001F, "oauth2.scopes": 0x6627101F,
		"oauth2.refresh-token": 0x67F5001F, "oauth2.client-secret": 0x67F6001F, "oauth2.expiry": 0x67F70040,
	}
	secure := map[string]bool{"oauth2.refresh-token": true, "oauth2.client-secret": true, "oauth2.expiry": true}
	for name, tag := range want {
		got, err := ParseTag(name, ScopeTransport)
		if err != nil || got != tag {
			t.Errorf("ParseTag(%q) = %s, %v; want %s", name, got, err, tag)
		}
		if _, err := ParseTag(name, ScopeOther); err == nil {
			t.Errorf("ParseTag(%q, other) succeeded; OAuth 2.0 aliases are transport-only", name)
		}
		if DisplayName(tag, ScopeTransport) != name {
			t.Errorf("DisplayName(%s) = %q, want %q", tag, DisplayName(tag, ScopeTransport), name)
		}
		if tag.Secure() != secure[name] {
			t.Errorf("%s.Secure() = %v, want %v", name, tag.Secure(), secure[name])
		}
		if !secure[name] && (tag.ID() < 0x6620 || tag.ID() > 0x662F) {
			t.Errorf("%s: ID %#x outside the OAuth 2.0 range 0x6620-0x662F", name, tag.ID())
		}
	}
	if PrOAuth2Scopes.Type() != PtUnicode|MvFlag {
		t.Errorf("oauth2.scopes is %s, want PT_MV_UNICODE", PrOAuth2Scopes.Type())
	}
	if PrOAuth2Expiry.Type() != PtSysTime {
		t.Errorf("oauth2.expiry is %s, want PT_SYSTIME", PrOAuth2Expiry.Type())
	}
	// A multi-valued scope list parses from the command line's JSON form.
	v, err := ParseValue(PrOAuth2Scopes, `["https://outlook.office.com/SMTP.Send","offline_access"]`)
	if s, ok := v.([]string); err != nil || !ok || len(s) != 2 {
		t.Errorf("ParseValue(oauth2.scopes) = %#v, %v", v, err)
	}
}
