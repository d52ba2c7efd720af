package account

import (
	"strings"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/sendmail"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/textsafe"
	"github.com/mapictl/mapictl/internal/transport"
)

// Resolver is the one place of "use the session's snapshot, else open the
// profile and pick the section": given the current session (if any) and
// a way to load profiles, it resolves section names, spool records and
// transports to accounts. The function fields are the caller's (flags,
// environment, terminal); a Resolver is used by one command run and is
// not safe for concurrent use.
type Resolver struct {
	// Session is the current session's snapshot; nil when none.
	Session *session.Snapshot
	// StoreRoot gives the default Maildir of sections read from a profile.
	StoreRoot string
	// ProfileName names the selected profile (used without a session);
	// LoadProfile loads a profile by name.
	ProfileName func() (string, error)
	LoadProfile func(name string) (*profile.Profile, error)
	// Identities open a section's secure range.
	Identities func() ([]age.Identity, error)
	// Prompt asks for the credentials of a, which has none stored (stored
	// holds what is, e.g. a username). nil: prompting is not allowed.
	Prompt func(a *Account, stored Credentials) (Credentials, error)
	// NewTransport builds the transport of a with creds.
	NewTransport func(a *Account, creds Credentials) (transport.Transport, error)
	// Now is the clock sessions expire by (who OAuth 2.0 token files are
	// sealed to); nil is time.Now.
	Now func() time.Time

	current     *profile.Profile
	currentName string
}

// Profile loads the selected profile once (a failure is retried on the
// next call). It is not used under a session by the methods below.
func (r *Resolver) Profile() (*profile.Profile, error) {
	if r.current != nil {
		return r.current, nil
	}
	name, err := r.ProfileName()
	if err != nil {
		return nil, err
	}
	p, err := r.LoadProfile(name)
	if err != nil {
		return nil, err
	}
	r.current, r.currentName = p, name
	return p, nil
}

// Sending returns the account message send uses for the transport section
// name ("" for the default one): under a session, the snapshot's section
// (From is the address the session logged on as), else the selected
// profile's. Errors: under a session, MAPI_E_NOT_FOUND (66) for a section
// it does not hold; else those of loading the profile, MAPI_E_NOT_FOUND for
// a section the profile lacks, MAPI_E_INVALID_PARAMETER (64) for one that
// is not a transport, MAPI_E_UNCONFIGURED (78) for a profile without
// transport or a section without an email address to send from.
func (r *Resolver) Sending(name string) (*Account, error) {
	if snap := r.Session; snap != nil {
		sec := snap.Default()
		if name != "" {
			sec = snap.Section(name)
		}
		if sec == nil && name == "" {
			return nil, mapi.Errorf(mapi.Unconfigured, "the session holds no section with an outbound side (only transport none)").
				WithHint("log on to a section that sends with 'mapictl session logon --section NAME'")
		}
		if sec == nil {
			return nil, mapi.Errorf(mapi.NotFound, "the session has no transport section %q", name).
				WithHint("log on with 'mapictl session logon --section " + textsafe.ShellArg(name) + "'")
		}
		return sendsOrRefuse(FromSnapshot(snap, sec))
	}
	a, err := r.Section(name)
	if err != nil {
		return nil, err
	}
	if a, err = sendsOrRefuse(a); err != nil {
		return nil, err
	}
	if a.Email == "" {
		return nil, mapi.Errorf(mapi.Unconfigured, "section %q has no email address to send from", a.Name).
			WithHint("set one with 'mapictl section set " + textsafe.ShellArg(a.Name) + " email=ADDRESS'")
	}
	return a, nil
}

// Section returns the account of transport section name of the selected
// profile, whatever the session (`credential oauth2` signs a section of
// the profile in). Errors: those of loading the profile and of
// [PickTransport].
func (r *Resolver) Section(name string) (*Account, error) {
	p, err := r.Profile()
	if err != nil {
		return nil, err
	}
	s, err := PickTransport(p, name)
	if err != nil {
		return nil, err
	}
	return r.fromSection(r.currentName, p, s), nil
}

// sendsOrRefuse returns a, or MAPI_E_INVALID_PARAMETER when a was named
// to send but has no outbound side (transport none: an inbound-only
// section, SPEC §8).
func sendsOrRefuse(a *Account) (*Account, error) {
	if a.Transport == "none" {
		return nil, mapi.Errorf(mapi.InvalidParameter, "section %q only receives mail (transport none): it cannot send", a.Name).
			WithHint("send through a section with an outbound side (-s NAME), or give this one a transport: 'mapictl section set " + textsafe.ShellArg(a.Name) + " transport=smtp'")
	}
	return a, nil
}

// ForSender picks the account as msmtp picks one: section when given; else
// the transport section (of the session, else of the profile) whose
// address is addr, case-insensitive; else the default one. Errors: those
// of [Resolver.Sending].
func (r *Resolver) ForSender(section, addr string) (*Account, error) {
	if section == "" && addr != "" {
		if r.Session != nil {
			for _, s := range r.Session.Sections {
				if strings.EqualFold(s.Address, addr) {
					section = s.Settings.Section
					break
				}
			}
		} else {
			p, err := r.Profile()
			if err != nil {
				return nil, err
			}
			section = sendmail.SectionByEmail(p, addr)
		}
	}
	return r.Sending(section)
}

// SectionUID resolves a transport section name (spool flush -s): the
// session's section of that name, else the selected profile's (the
// default one for ""). Errors: those of loading the profile and of
// [PickTransport].
func (r *Resolver) SectionUID(name string) (string, error) {
	if r.Session != nil {
		if sec := r.Session.Section(name); sec != nil {
			return sec.Settings.SectionUID, nil
		}
	}
	p, err := r.Profile()
	if err != nil {
		return "", err
	}
	s, err := PickTransport(p, name)
	if err != nil {
		return "", err
	}
	return s.UID, nil
}

// SectionNamer returns a function naming the transport section of a spool
// record: from the session, else the record's profile (each loaded once; a
// profile that cannot be read, or a section no longer in it, leaves the
// record's section uid).
func (r *Resolver) SectionNamer() func(*spool.Record) string {
	profiles := map[string]*profile.Profile{}
	return func(rec *spool.Record) string {
		if r.Session != nil {
			if sec := r.Session.Section(rec.SectionUID); sec != nil {
				return sec.Settings.Section
			}
		}
		p, ok := profiles[rec.Profile]
		if !ok {
			p, _ = r.LoadProfile(rec.Profile)
			profiles[rec.Profile] = p
		}
		if p != nil {
			if s := p.SectionByUID(rec.SectionUID); s != nil {
				return s.Name
			}
		}
		return rec.SectionUID
	}
}

// Spool returns the spool.Resolver of a flush: a record queued under the
// session uses its snapshot; any other is resolved from its profile
// (loaded once per name) and section uid, so a renamed section is still
// found, and a record with no section uid (queued by sendmail while the
// profile was locked) takes the profile's default transport as it is now.
// Errors: MAPI_E_UNCONFIGURED (78) for a section the session or profile no
// longer has; those of loading the profile and of [Resolver.Transport].
func (r *Resolver) Spool() spool.Resolver {
	profiles := map[string]*profile.Profile{}
	return func(rec *spool.Record) (transport.Transport, error) {
		if snap := r.Session; snap != nil && rec.Session != "" && rec.Session == snap.ID {
			sec := snap.Section(rec.SectionUID)
			if sec == nil {
				return nil, mapi.Errorf(mapi.Unconfigured, "the current session has no transport section with uid %s", rec.SectionUID)
			}
			return r.Transport(FromSnapshot(snap, sec))
		}
		p, ok := profiles[rec.Profile]
		if !ok {
			var err error
			if p, err = r.LoadProfile(rec.Profile); err != nil {
				return nil, err
			}
			profiles[rec.Profile] = p
		}
		s := p.SectionByUID(rec.SectionUID)
		if s == nil && rec.SectionUID == "" {
			s, _ = PickTransport(p, "")
		}
		if s == nil {
			return nil, mapi.Errorf(mapi.Unconfigured, "profile %q no longer has the transport section this message was queued for", rec.Profile).
				WithHint("drop it with 'mapictl spool drop " + rec.ID + "'")
		}
		return r.Transport(r.fromSection(rec.Profile, p, s))
	}
}

// Resolve is the spool.Resolver of a message queued for a: under a
// session, [Resolver.Spool]; for a profile section, a's own transport.
func (r *Resolver) Resolve(a *Account) spool.Resolver {
	if a.Session != "" {
		return r.Spool()
	}
	return func(*spool.Record) (transport.Transport, error) { return r.Transport(a) }
}

// Transport builds a's transport with [Resolver.Credentials].
func (r *Resolver) Transport(a *Account) (transport.Transport, error) {
	creds, err := r.Credentials(a)
	if err != nil {
		return nil, err
	}
	return r.NewTransport(a, creds)
}

// fromSection is FromSection for section s of profile p (loaded as
// name), its ProfileUID set.
func (r *Resolver) fromSection(name string, p *profile.Profile, s *profile.Section) *Account {
	a := FromSection(name, s, r.StoreRoot)
	a.ProfileUID = p.UID
	return a
}

// Credentials returns the logon credentials of a (the implicit logon of
// SPEC §7, without a connection of its own): under a session, the
// snapshot's; a section whose transport logs on without credentials gets
// none; else its secure range, read with its binds checked; when that
// holds no secret, r.Prompt, else MAPI_E_UNCONFIGURED (78) with a hint.
// An OAuth 2.0 section is never prompted: its credentials get its token
// supply ([Resolver.withOAuth2]).
func (r *Resolver) Credentials(a *Account) (Credentials, error) {
	creds, done, err := r.held(a, a.NeedsCredentials(), Credentials.HasSecret)
	if err != nil {
		return creds, err
	}
	if a.IsOAuth2() && a.NeedsCredentials() {
		return r.withOAuth2(a, creds)
	}
	if done {
		return creds, nil
	}
	if r.Prompt == nil {
		return creds, missingSecret(a.Name, creds.Username, false, false, "or run on a terminal without --no-input to be asked")
	}
	return r.Prompt(a, creds)
}

// held is what both sides of a log on with before any prompt: under a
// session the snapshot's credentials, none when needs is false (done);
// else the secure range read with its binds checked (a missing range is
// empty), done when enough holds a secret. Errors: loading the identities
// or reading the range.
func (r *Resolver) held(a *Account, needs bool, enough func(Credentials) bool) (creds Credentials, done bool, err error) {
	if a.creds != nil {
		return fromSnapshot(*a.creds), true, nil
	}
	if !needs {
		return Credentials{}, true, nil
	}
	ids, err := r.Identities()
	if err != nil {
		return Credentials{}, false, err
	}
	creds, err = a.StoredCredentials(ids)
	if err != nil && !mapi.IsCode(err, mapi.NotFound) {
		return Credentials{}, false, err
	}
	return creds, enough(creds), nil
}

// withOAuth2 attaches a's token supply to creds ([Account.withOAuth2]):
// its token file opened with the session's key under a session, else with
// r.Identities; sealed on every write to [TokenRecipients].
func (r *Resolver) withOAuth2(a *Account, creds Credentials) (Credentials, error) {
	k := tokenKeys{storeRoot: r.StoreRoot, snap: r.Session, now: r.Now}
	if r.Session != nil && a.Session == r.Session.ID {
		k.ids = []age.Identity{r.Session.Key}
	} else {
		ids, err := r.Identities()
		if err != nil {
			return creds, err
		}
		k.ids, k.stored = ids, ids
	}
	return a.withOAuth2(creds, k)
}

// PickTransport returns p's transport section name, else (for "") its
// default one. Errors: MAPI_E_NOT_FOUND (66) for a section p lacks,
// MAPI_E_INVALID_PARAMETER (64) for one that is not a transport,
// MAPI_E_UNCONFIGURED (78) when p has no transport section.
func PickTransport(p *profile.Profile, name string) (*profile.Section, error) {
	if name == "" {
		s, err := p.DefaultTransport()
		if err != nil {
			return nil, err
		}
		if s == nil {
			return nil, mapi.Errorf(mapi.Unconfigured, "profile %q has no transport section", p.Name).
				WithHint("create one with 'mapictl section create NAME --transport maildir'")
		}
		return s, nil
	}
	s, err := p.Section(name)
	if err != nil {
		return nil, err
	}
	if s.Kind != profile.KindTransport {
		return nil, mapi.Errorf(mapi.InvalidParameter, "section %q is not a transport section", name)
	}
	return s, nil
}
