package account

import (
	"slices"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Receiving returns the accounts `message fetch` and `spool watch` poll:
// the sections named (each once, in the order given), else every
// transport section with an inbound side, in transport order. Under a
// session they come from its snapshot, else from the selected profile
// (their ProfileUID set). Errors: MAPI_E_NOT_FOUND (66) for a name the
// session or profile lacks; MAPI_E_INVALID_PARAMETER (64) for one that is
// not a transport section; MAPI_E_UNCONFIGURED (78) for a named section
// with no inbound side, or when no section has one; those of loading the
// profile.
func (r *Resolver) Receiving(names []string) ([]*Account, error) {
	var all []*Account
	if snap := r.Session; snap != nil {
		for i := range snap.Sections {
			all = append(all, FromSnapshot(snap, &snap.Sections[i]))
		}
	} else {
		p, err := r.Profile()
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if _, err := PickTransport(p, n); err != nil {
				return nil, err
			}
		}
		for _, s := range p.Transports() {
			all = append(all, r.fromSection(r.currentName, p, s))
		}
	}
	if len(names) == 0 {
		var out []*Account
		for _, a := range all {
			if a.HasInbound() {
				out = append(out, a)
			}
		}
		if len(out) == 0 {
			return nil, mapi.Errorf(mapi.Unconfigured, "no transport section has an inbound side").
				WithHint("add one with 'mapictl section create NAME --inbound imap --set inbound.host=HOST'")
		}
		return out, nil
	}
	var out []*Account
	for _, n := range names {
		i := slices.IndexFunc(all, func(a *Account) bool { return a.Name == n || r.Session != nil && a.UID == n })
		if i < 0 {
			return nil, mapi.Errorf(mapi.NotFound, "the session has no transport section %q", n).
				WithHint("log on with 'mapictl session logon --section " + textsafe.ShellArg(n) + "'")
		}
		a := all[i]
		if !a.HasInbound() {
			return nil, mapi.Errorf(mapi.Unconfigured, "section %q has no inbound side", n).
				WithHint("add one with 'mapictl section set " + textsafe.ShellArg(n) + " inbound=imap inbound.host=HOST'")
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// InboundCredentials returns what a's inbound side logs on with (read
// through [Credentials.Inbound]): under a session, the snapshot's; none
// when its inbound auth is none; else its secure range, binds checked;
// when that holds no inbound secret, r.Prompt (asked for the inbound
// user name and password, kept as inbound.username and inbound.password),
// else MAPI_E_UNCONFIGURED (78) with a hint. An OAuth 2.0 section is never
// prompted: its credentials get its token supply, as
// [Resolver.Credentials] attaches it.
func (r *Resolver) InboundCredentials(a *Account) (Credentials, error) {
	creds, done, err := r.held(a, a.InboundNeedsCredentials(), func(c Credentials) bool { return c.Inbound().HasSecret() })
	if err != nil {
		return creds, err
	}
	if a.IsOAuth2() && a.InboundNeedsCredentials() {
		return r.withOAuth2(a, creds)
	}
	if done {
		return creds, nil
	}
	if r.Prompt == nil {
		return creds, mapi.Errorf(mapi.Unconfigured, "section %q has no stored inbound credentials and prompting is not allowed", a.Name).
			WithHint("store them with 'mapictl credential set "+a.Name+" --inbound'",
				"or run on a terminal without --no-input to be asked")
	}
	got, err := r.Prompt(a, Credentials{Username: creds.Inbound().Username})
	if err != nil {
		return creds, err
	}
	creds.InboundUsername, creds.InboundPassword = got.Username, got.Password
	return creds, nil
}
