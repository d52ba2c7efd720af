package account

import (
	"context"
	"io"
	"net/mail"
	"slices"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
)

// PromptRequest is what a [PromptFunc] is asked for.
type PromptRequest struct {
	Section  string
	Auth     string // the section's auth mode ("xoauth2" wants a token, not a password)
	Username string // the stored username, "" when none
	Attempt  int    // 1-based
	Previous error  // why the previous attempt failed; nil on the first
}

// PromptFunc asks the person at the terminal for a section's credentials.
// Its errors (e.g. MAPI_E_USER_CANCEL) end the logon as they are.
type PromptFunc func(PromptRequest) (Credentials, error)

// VerifyFunc checks credentials against the transport of a (SMTP: connect,
// TLS, EHLO, AUTH, QUIT). Errors are *transport.Error or *mapi.Error.
type VerifyFunc func(ctx context.Context, a *Account, c Credentials) error

// LogonOptions are the inputs of [Logon] (MAPILogonEx + TransportLogon).
type LogonOptions struct {
	Profile   *profile.Profile
	IDs       []age.Identity // open the sections' secure ranges
	StoreRoot string
	Sections  []string   // section names; empty means every transport section
	Strict    bool       // every section must log on, as when named (--strict)
	As        string     // log on as this address instead of the section's email
	Offline   bool       // LOGON_NO_CONNECT: do not verify
	Prompt    PromptFunc // nil: prompting not allowed (MAPI_LOGON_UI unset)
	Verify    VerifyFunc // nil: [VerifyTransport]
	Verbose   io.Writer  // with the default Verify: the dialogue (AUTH redacted), as -v
	SelfExe   string
	Tries     int // prompts per section when the server refuses; 0 means 3
	// Clock is the clock sessions expire by (who OAuth 2.0 token files
	// are sealed to: [TokenRecipients]); nil is time.Now. Tokens expire by
	// the real clock.
	Clock func() time.Time
}

// SectionFailure is a section left out of a logon: why it could not log
// on. Err carries the MAPI code, exit status and transport stage.
type SectionFailure struct {
	Section string
	Err     *mapi.Error
}

// LogonResult is a successful logon.
type LogonResult struct {
	// Sections are the logged-on sections, as the session's snapshot
	// keeps them (account builds snapshots; session only stores them).
	Sections []session.SectionSnapshot
	// Prompted holds, by section name, the credentials typed at a prompt
	// and accepted, as the snapshot keeps them (the candidates for
	// --remember: session.Remember).
	Prompted map[string]session.Credentials
	// Failed lists, in order, the sections left out of the session (only
	// when no section was named and o.Strict is false).
	Failed []SectionFailure
}

// Logon logs on to each selected transport section: credentials from its
// secure range (binds enforced, no prompt); when they are missing and the
// section needs some, o.Prompt, else MAPI_E_UNCONFIGURED. An OAuth 2.0
// section logs on with its token file's token, refreshed as needed (its
// seed and client secret kept in the snapshot), never with a prompt; with
// neither a token file nor a seed it is MAPI_E_UNCONFIGURED. Unless o.Offline
// the credentials are verified; a refusal is MAPI_E_LOGON_FAILED, after
// o.Tries prompts when they were prompted (stored credentials that are
// refused fail at once: fix them with `credential set`). Other errors:
// MAPI_E_NOT_FOUND / MAPI_E_INVALID_PARAMETER for a section that does not
// exist or is not a transport; MAPI_E_NO_ACCESS when --as is given for a
// section whose address-override is false, or its credentials cannot be
// opened or no longer match its settings; transport failures as every
// command reports them (transport.MAPIError: a server that cannot be
// reached 75, a host that does not exist 69, ...).
//
// As MAPI opens a session whose failed transports show in its status
// table (SPEC §7): with no section named and o.Strict false, a section
// that cannot log on is left out and listed in LogonResult.Failed, and
// Logon succeeds if one section did; when none did, its error is the first
// section's (the result, with every failure, is returned too). Named
// sections, or o.Strict, must all log on: the first failure is the error.
// A cancelled prompt (MAPI_E_USER_CANCEL) or context ends the logon at
// once in either case.
func Logon(ctx context.Context, o LogonOptions) (*LogonResult, error) {
	secs, err := selectSections(o.Profile, o.Sections)
	if err != nil {
		return nil, err
	}
	var as *mail.Address
	if o.As != "" {
		if as, err = mail.ParseAddress(o.As); err != nil {
			return nil, mapi.Errorf(mapi.InvalidParameter, "--as: malformed address %q", o.As)
		}
	}
	if o.Verify == nil {
		o.Verify = func(ctx context.Context, a *Account, c Credentials) error {
			if err := verifyTransport(ctx, a, c, o.SelfExe, o.Verbose); err != nil {
				return err
			}
			return verifyInbound(ctx, a, c, o.Verbose)
		}
	}
	if o.Tries <= 0 {
		o.Tries = 3
	}
	strict := o.Strict || len(o.Sections) > 0
	res := &LogonResult{Prompted: map[string]session.Credentials{}}
	for _, s := range secs {
		// A multi-session=false section another session holds (or one
		// whose live sessions this would need to exclude) cannot join:
		// left out before the network, as a section that cannot log on,
		// rather than refused with the lot by session.Create.
		err := o.checkFree(s)
		var ss session.SectionSnapshot
		var prompted bool
		if err == nil {
			ss, prompted, err = logonSection(ctx, o, s, as)
		}
		if err != nil {
			if strict || mapi.IsCode(err, mapi.UserCancel) || ctx.Err() != nil {
				return nil, err
			}
			res.Failed = append(res.Failed, SectionFailure{Section: s.Name, Err: mapi.AsError(err)})
			continue
		}
		if prompted {
			res.Prompted[s.Name] = ss.Credentials
		}
		res.Sections = append(res.Sections, ss)
	}
	if len(res.Sections) == 0 && len(res.Failed) > 0 {
		return res, res.Failed[0].Err
	}
	return res, nil
}

// checkFree is session.CheckFree for section s at the logon's clock; nil
// without a store (a logon that makes no session).
func (o LogonOptions) checkFree(s *profile.Section) error {
	if o.StoreRoot == "" {
		return nil
	}
	now := time.Now()
	if o.Clock != nil {
		now = o.Clock()
	}
	st := FromSection(o.Profile.Name, s, o.StoreRoot).Settings()
	return session.CheckFree(o.StoreRoot, now, s.Name, st.SectionUID, !st.MultiSession)
}

func selectSections(p *profile.Profile, names []string) ([]*profile.Section, error) {
	if len(names) == 0 {
		secs := p.Transports()
		if len(secs) == 0 {
			return nil, mapi.Errorf(mapi.Unconfigured, "profile %q has no transport section", p.Name).
				WithHint("create one with 'mapictl section create NAME --transport smtp'")
		}
		return secs, nil
	}
	var out []*profile.Section
	for _, n := range names {
		s, err := p.Section(n)
		if err != nil {
			return nil, err
		}
		if s.Kind != profile.KindTransport {
			return nil, mapi.Errorf(mapi.InvalidParameter, "section %q is not a transport section", n)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// logonSection logs on to one section; prompted says the credentials came
// from a prompt.
func logonSection(ctx context.Context, o LogonOptions, s *profile.Section, as *mail.Address) (session.SectionSnapshot, bool, error) {
	a := FromSection(o.Profile.Name, s, o.StoreRoot)
	a.ProfileUID = o.Profile.UID
	ss := session.SectionSnapshot{Settings: a.Settings(), Address: a.Email, Name: a.DisplayName,
		Ordinal: a.Ordinal, DefaultOutbound: a.DefaultOutbound}
	if as != nil && as.Address != a.Email {
		if !a.Outbound.AddressOverride {
			return ss, false, mapi.Errorf(mapi.NoAccess, "section %q does not allow logging on as another address (address-override is false)", s.Name).
				WithHint("log on without --as, or set address-override=true on the section")
		}
		// Another identity: the section's display name is not its name.
		ss.Address, ss.Name = as.Address, as.Name
	}
	creds, err := a.StoredCredentials(o.IDs)
	if err != nil {
		return ss, false, err
	}
	if a.needsToken() {
		// OAuth 2.0: verified with the token file's token (refreshed as
		// needed), never prompted for a password.
		k := tokenKeys{storeRoot: o.StoreRoot, ids: o.IDs, stored: o.IDs, now: o.Clock}
		if creds, err = a.withOAuth2(creds, k); err != nil {
			return ss, false, err
		}
	}
	outMissing := a.NeedsCredentials() && !creds.HasSecret()
	missing := outMissing || a.inboundVerifiable() && a.InboundNeedsCredentials() && !creds.Inbound().HasSecret()
	if missing && o.Prompt == nil {
		user, inbound := creds.Username, false
		if !outMissing { // the inbound side's: its own logon, if it has one
			user, inbound = creds.Inbound().Username, creds.InboundUsername != ""
		}
		return ss, false, missingSecret(s.Name, user, inbound, true, "or log on at a terminal without --no-input")
	}
	var prev error
	for attempt := 1; ; attempt++ {
		use := creds
		if missing {
			c, err := o.Prompt(PromptRequest{Section: s.Name, Auth: a.Outbound.SMTP.Auth, Username: creds.Username, Attempt: attempt, Previous: prev})
			if err != nil {
				return ss, false, err
			}
			use = c
			// A prompt asks for the outbound logon; stored inbound ones stay.
			use.InboundUsername, use.InboundPassword = creds.InboundUsername, creds.InboundPassword
		}
		ss.Credentials = use.Snapshot()
		if o.Offline {
			return ss, missing, nil
		}
		err := verifyError(s.Name, a.IsOAuth2(), o.Verify(ctx, a, use))
		if err == nil {
			return ss, missing, nil
		}
		if !missing || !mapi.IsCode(err, mapi.LogonFailed) || attempt >= o.Tries {
			return ss, false, err
		}
		prev = err
	}
}
