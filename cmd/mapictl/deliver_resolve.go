package main

import (
	"os"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

// newTransport builds the transport of st with creds; -v sends the SMTP
// dialogue (AUTH redacted by the transport) to stderr.
func (f *factory) newTransport(st session.Settings, creds session.Credentials) (transport.Transport, error) {
	self, _ := os.Executable()
	cfg := st.TransportConfig(creds, self)
	if f.verbose {
		cfg.Verbose = f.IO.Err
	}
	return transport.New(cfg)
}

// sectionCredentials returns the logon credentials of profile section s
// (the implicit logon of SPEC §7, without a connection of its own): the
// secure range read with its binds checked; when none is stored, a prompt
// if one is allowed, else MAPI_E_UNCONFIGURED with a hint. A section whose
// transport logs on without credentials gets none.
func (f *factory) sectionCredentials(s *profile.Section, st session.Settings) (session.Credentials, error) {
	if !st.NeedsCredentials() {
		return session.Credentials{}, nil
	}
	ids, err := f.Identities()
	if err != nil {
		return session.Credentials{}, err
	}
	var creds session.Credentials
	c, err := s.ReadSecure(ids)
	switch {
	case err == nil:
		creds = session.CredentialsOf(c.Props)
	case !mapi.IsCode(err, mapi.NotFound):
		return session.Credentials{}, err
	}
	if creds.HasSecret() {
		return creds, nil
	}
	if !f.CanPrompt() {
		return creds, mapi.Errorf(mapi.Unconfigured, "section %q has no stored credentials and prompting is not allowed", s.Name).
			WithHint("store them with 'mapictl credential set "+s.Name+"'",
				"or run on a terminal without --no-input to be asked")
	}
	if creds.Username == "" {
		u, err := f.askLine("Username for " + s.Name + ": ")
		if err != nil {
			return creds, err
		}
		creds.Username = u
	}
	pw, err := f.askSecret("Password for " + s.Name + ": ")
	if err != nil {
		return creds, err
	}
	creds.Password = string(pw)
	return creds, nil
}

// profileResolver resolves spool records from their profile (loaded once
// per name) and section uid, so a renamed section is still found; records
// queued under the current session snap use its snapshot instead.
func (f *factory) profileResolver(snap *session.Snapshot) spool.Resolver {
	profiles := map[string]*profile.Profile{}
	return func(rec *spool.Record) (transport.Transport, error) {
		if snap != nil && rec.Session != "" && rec.Session == snap.ID {
			sec := snap.Section(rec.SectionUID)
			if sec == nil {
				return nil, mapi.Errorf(mapi.Unconfigured, "the current session has no transport section with uid %s", rec.SectionUID)
			}
			return f.newTransport(sec.Settings, sec.Credentials)
		}
		p, ok := profiles[rec.Profile]
		if !ok {
			var err error
			if p, err = f.LoadProfile(rec.Profile); err != nil {
				return nil, err
			}
			profiles[rec.Profile] = p
		}
		s := p.SectionByUID(rec.SectionUID)
		if s == nil && rec.SectionUID == "" {
			// Queued by sendmail while the profile was locked: the
			// default transport of the profile as it is now.
			s, _ = pickTransport(p, "")
		}
		if s == nil {
			return nil, mapi.Errorf(mapi.Unconfigured, "profile %q no longer has the transport section this message was queued for", rec.Profile).
				WithHint("drop it with 'mapictl spool drop " + rec.ID + "'")
		}
		st := session.SettingsOf(s, f.StoreDir())
		creds, err := f.sectionCredentials(s, st)
		if err != nil {
			return nil, err
		}
		return f.newTransport(st, creds)
	}
}
