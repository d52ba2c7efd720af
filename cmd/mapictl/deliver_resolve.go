package main

import (
	"os"

	"github.com/mapictl/mapictl/internal/account"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/transport"
)

// accounts is the account resolver of this run under the session snap
// (nil for none): profiles loaded with the run's identities, a prompt for
// credentials (account.Ask) when one is allowed.
func (f *factory) accounts(snap *session.Snapshot) *account.Resolver {
	r := &account.Resolver{Session: snap, StoreRoot: f.StoreDir(), ProfileName: f.ProfileName,
		LoadProfile: f.LoadProfile, Identities: f.Identities, NewTransport: f.newTransport, Now: nowFunc}
	if f.CanPrompt() {
		r.Prompt = account.Ask(f.askLine, f.askSecret)
	}
	return r
}

// newTransport builds the transport of a with creds; -v sends the SMTP
// dialogue (AUTH redacted by the transport) to stderr.
func (f *factory) newTransport(a *account.Account, creds account.Credentials) (transport.Transport, error) {
	self, _ := os.Executable()
	cfg := a.TransportConfig(creds, self)
	if f.verbose {
		cfg.Verbose = f.transcript()
	}
	return transport.New(cfg)
}
