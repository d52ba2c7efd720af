package account

import (
	"context"
	"fmt"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/term"
)

// AskCredentials asks p for the credentials of r's section: the username,
// echoed, unless one is stored (asked again after a refusal when none is
// stored), then the password, or the OAuth2 token for auth xoauth2, not
// echoed. An empty answer is MAPI_E_UNCONFIGURED, as MAPI treats required
// data left empty; p's errors (MAPI_E_USER_CANCEL) are returned as they
// are. Saying why the previous attempt failed is the caller's.
func AskCredentials(ctx context.Context, p term.Prompter, r PromptRequest) (Credentials, error) {
	c := Credentials{Username: r.Username}
	if c.Username == "" || r.Previous != nil && r.Username == "" {
		u, err := p.Line(ctx, fmt.Sprintf("Username for section %q:", r.Section))
		if err != nil {
			return c, err
		}
		if u == "" {
			return c, mapi.Errorf(mapi.Unconfigured, "no username given for section %q", r.Section)
		}
		c.Username = u
	}
	what := "Password"
	if r.Auth == "xoauth2" {
		what = "OAuth2 token"
	}
	secret, err := p.Secret(ctx, fmt.Sprintf("%s for section %q:", what, r.Section))
	if err != nil {
		return c, err
	}
	if len(secret) == 0 {
		return c, mapi.Errorf(mapi.Unconfigured, "no %s given for section %q", what, r.Section)
	}
	if r.Auth == "xoauth2" {
		c.OAuth2Token = string(secret)
	} else {
		c.Password = string(secret)
	}
	return c, nil
}
