package account

import (
	"context"
	"io"
	"time"

	"github.com/mapictl/mapictl/internal/inbound"
	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
	"github.com/mapictl/mapictl/internal/transport"
)

// FetchOptions steer one section's fetch (`message fetch`, SPEC §8).
type FetchOptions struct {
	Limit                         int
	DryRun, Resync, RetryRejected bool
	// LockTimeout is how long to wait for another fetch of the account.
	LockTimeout time.Duration
	// Progress, when set, is called after each message (done, total).
	Progress func(done, total int)
	// Log, when set, receives the IMAP or POP3 dialogue, credentials
	// redacted by the client (-v).
	Log io.Writer
	// MDAOutput receives an MDA's stdout and stderr; nil discards them.
	MDAOutput io.Writer
}

// Idler is what an IMAP mailbox adds to [inbound.Source]: IDLE, when the
// server offers it (transport.IMAPMailbox).
type Idler interface {
	CanIdle() bool
	Idle(ctx context.Context) error
}

// InboundAccount is what keys a's journal and Maildir names (the profile
// and section uids, the server, the inbound user name and the mailbox)
// and its account lock (host, port, user and mailbox).
func (a *Account) InboundAccount(creds Credentials) inbound.Account {
	return inbound.Account{ProfileUID: a.ProfileUID, SectionUID: a.UID, Host: a.Inbound.Host,
		Port: a.Inbound.Port, User: creds.Inbound().Username, Mailbox: a.Inbound.Mailbox,
		Protocol: a.Inbound.Protocol}
}

// InboundOptions are the inbound.Options of a fetch of a with o: where the
// messages go, the section's keep and max-size, the MDA's environment.
func (a *Account) InboundOptions(o FetchOptions) inbound.Options {
	in := a.Inbound
	return inbound.Options{Maildir: in.Maildir, MDA: in.MDA, Section: a.Name, Address: a.From.Email,
		MDAOutput: o.MDAOutput, Keep: in.Keep, MaxSize: in.MaxSize, Limit: o.Limit,
		DryRun: o.DryRun, Resync: o.Resync, RetryRejected: o.RetryRejected,
		Progress: o.Progress, LockTimeout: o.LockTimeout}
}

// checkInbound refuses an account that cannot fetch: no inbound side
// (MAPI_E_UNCONFIGURED), settings that do not parse (MAPI_E_INVALID_PARAMETER),
// a session logged on before it kept the profile uid (MAPI_E_UNCONFIGURED:
// its journal could not be found).
func (a *Account) checkInbound() error {
	switch {
	case !a.HasInbound():
		return mapi.Errorf(mapi.Unconfigured, "section %q has no inbound side", a.Name).
			WithHint("add one with 'mapictl section set " + textsafe.ShellArg(a.Name) + " inbound=imap inbound.host=HOST'")
	case a.Inbound.Err != nil:
		return mapi.Wrap(mapi.InvalidParameter, a.Inbound.Err, "section "+quote(a.Name)+": inbound.mda")
	case a.ProfileUID == "":
		return mapi.Errorf(mapi.Unconfigured, "the session was logged on by an older mapictl and cannot fetch").
			WithHint("log on again with 'mapictl session logon'")
	}
	return nil
}

// DialInbound connects to a's inbound side with creds' inbound
// credentials, logs on and selects the mailbox (IMAP) or opens the
// maildrop (POP3). The source also implements [Idler] for IMAP. log, when
// not nil, gets the dialogue (credentials redacted). Errors are
// *transport.Error (stages connect, tls, greeting, auth, select).
func DialInbound(ctx context.Context, a *Account, creds Credentials, log io.Writer) (inbound.Source, error) {
	cfg := a.InboundConfig(creds)
	cfg.Log = log
	if a.Inbound.Protocol == "pop3" {
		return transport.DialPOP3(ctx, cfg)
	}
	return transport.DialIMAP(ctx, cfg)
}

// Fetch is one pass of `message fetch` over a's inbound side: take the
// account lock (inbound.LockAccount: host, port, user and mailbox,
// whatever the profile or section), then the section's journal lock
// (inbound.Hold), each waiting up to o.LockTimeout (a dry run takes
// neither); then dial, log on, inbound fetch into its Maildir or MDA
// under storeRoot's journal, log off, and only then let the locks go.
//
// The locks come before the logon because POP3 fixes the maildrop's
// listing at logon: a fetch that logged on while another session of the
// same maildrop (this section's or another's) was running would work on
// a listing from before that one's deletions (messages the server then
// refuses, or serves again though no journal remembers them). Errors are
// *mapi.Error ([InboundError] for the transport's): MAPI_E_BUSY (75) when
// a lock is not free in time, else see [inbound.Fetch]; the Result counts
// what was done before one.
func Fetch(ctx context.Context, storeRoot string, a *Account, creds Credentials, o FetchOptions) (inbound.Result, error) {
	if err := a.checkInbound(); err != nil {
		return inbound.Result{}, err
	}
	ia := a.InboundAccount(creds)
	var held *inbound.Held
	if !o.DryRun {
		al, err := inbound.LockAccount(ctx, storeRoot, ia, o.LockTimeout)
		if err != nil {
			return inbound.Result{}, a.inboundError(err)
		}
		defer al.Release() // after the journal's (deferred later, run first)
		h, err := inbound.Hold(ctx, storeRoot, ia, o.LockTimeout)
		if err != nil {
			return inbound.Result{}, a.inboundError(err)
		}
		defer h.Release() // after src.Close: the next one logs on after this QUIT
		held = h
	}
	src, err := DialInbound(ctx, a, creds, o.Log)
	if err != nil {
		return inbound.Result{}, a.inboundError(err)
	}
	var res inbound.Result
	if held != nil {
		res, err = held.Fetch(ctx, src, a.InboundOptions(o))
	} else {
		res, err = inbound.Fetch(ctx, storeRoot, ia, src, a.InboundOptions(o))
	}
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	return res, a.inboundError(err)
}

// InboundError is err of section's inbound side as every command reports
// it: a *transport.Error mapped by transport.MAPIError (SPEC §9; its stage
// kept for -o json) and prefixed with the section; a *mapi.Error, or nil,
// as it is.
func InboundError(section string, err error) error {
	return inboundError(section, false, err)
}

// inboundError is [InboundError] of a's inbound side: the hint of refused
// credentials says to sign in again for an OAuth 2.0 section.
func (a *Account) inboundError(err error) error { return inboundError(a.Name, a.IsOAuth2(), err) }

func inboundError(section string, oauth2 bool, err error) error {
	if err == nil {
		return nil
	}
	e, ok := transport.MAPIError(err, "section "+quote(section))
	switch {
	case !ok || e.Code != mapi.LogonFailed:
	case oauth2:
		addRefusedHint(e, section, true)
	case len(e.Hints) == 0:
		e.WithHint("check them, or store new ones with 'mapictl credential set " + textsafe.ShellArg(section) + " --inbound'")
	}
	return e
}

// Worst is the error a command over several sections ends with (SPEC §9,
// each section tried): nil when all are nil; else, of the non-nil ones,
// the first whose exit status is not 75 (a failure that retrying will not
// cure beats one that will), the highest such status first; else the
// first.
func Worst(errs []error) error {
	var worst *mapi.Error
	for _, err := range errs {
		if err == nil {
			continue
		}
		e := mapi.AsError(err)
		switch {
		case worst == nil:
			worst = e
		case worst.ExitStatus() == mapi.ExitQueued && e.ExitStatus() != mapi.ExitQueued:
			worst = e
		case e.ExitStatus() != mapi.ExitQueued && e.ExitStatus() > worst.ExitStatus():
			worst = e
		}
	}
	if worst == nil {
		return nil
	}
	return worst
}
