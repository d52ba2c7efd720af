package manifest

import (
	"testing"

	"github.com/mapictl/mapictl/internal/mapi"
)

// TestPropName: the PRF-names property has a name of its own; an alias or
// MAPI name wins over a PRF name, which wins over the bare tag.
func TestPropName(t *testing.T) {
	scope := mapi.ScopeTransport
	prf := map[mapi.Tag]string{0x6600001E: "ServerName", mapi.PrSMTPHost: "SMTPServer"}
	for _, c := range []struct {
		tag  mapi.Tag
		want string
	}{
		{PrPRFNames, "prf-names"},
		{mapi.PrSMTPHost, mapi.DisplayName(mapi.PrSMTPHost, scope)},
		{0x6600001E, "ServerName"},
		{0x6611001E, mapi.Tag(0x6611001E).String()},
	} {
		if got := PropName(c.tag, scope, prf); got != c.want {
			t.Errorf("PropName(%v) = %q, want %q", c.tag, got, c.want)
		}
	}
}
