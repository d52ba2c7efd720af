package mapi

import "testing"

// The inbound aliases of SPEC §8 resolve to the table's tags, lie in the
// provider range (so only transport sections know them), and the two
// secure ones lie in the secure range.
func TestInboundAliases(t *testing.T) {
	want := map[string]Tag{
		"inbound": 0x6610001F, "inbound.host": 0x6611001F, "inbound.port": 0x66120003,
		"inbound.security": 0x6613001F, "inbound.auth": 0x6614001F, "inbound.mailbox": 0x6615001F,
		"inbound.keep": 0x6616000B, "inbound.maildir": 0x6617001F, "inbound.mda": 0x6618001F,
		"inbound.ca-file": 0x6619001F, "inbound.tls-fingerprint": 0x661A001F,
		"inbound.insecure-skip-verify": 0x661B000B, "inbound.allow-insecure-auth": 0x661C000B,
		"inbound.max-size": 0x661D0003, "inbound.username": 0x67F3001F, "inbound.password": 0x67F4001F,
	}
	for name, tag := range want {
		got, err := ParseTag(name, ScopeTransport)
		if err != nil || got != tag {
			t.Errorf("ParseTag(%q) = %s, %v; want %s", name, got, err, tag)
		}
		if _, err := ParseTag(name, ScopeOther); err == nil {
			t.Errorf("ParseTag(%q, other) succeeded; inbound aliases are transport-only", name)
		}
		if DisplayName(tag, ScopeTransport) != name {
			t.Errorf("DisplayName(%s) = %q, want %q", tag, DisplayName(tag, ScopeTransport), name)
		}
		secure := name == "inbound.username" || name == "inbound.password"
		if tag.Secure() != secure {
			t.Errorf("%s.Secure() = %v, want %v", name, tag.Secure(), secure)
		}
		if !secure && (tag.ID() < 0x6610 || tag.ID() > 0x661F) {
			t.Errorf("%s: ID %#x outside the inbound range 0x6610-0x661F", name, tag.ID())
		}
	}
}
