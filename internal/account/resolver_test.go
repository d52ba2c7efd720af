package account

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/message"
	"github.com/mapictl/mapictl/internal/profile"
	"github.com/mapictl/mapictl/internal/session"
	"github.com/mapictl/mapictl/internal/spool"
	"github.com/mapictl/mapictl/internal/transport"
)

// fixture is profile "work": mx (smtp, plain auth), box (maildir, the
// default outbound), bare (smtp, no email) and book (an address book);
// and a session "sess" on it holding mx (logged on as another address)
// and box.
type fixture struct {
	p    *profile.Profile
	snap *session.Snapshot
	uid  map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{p: profile.New("work", nil), uid: map[string]string{}}
	add := func(name, kind, tr, email string) *profile.Section {
		s, err := fx.p.AddSection(name, kind, tr)
		if err != nil {
			t.Fatal(err)
		}
		if email != "" {
			s.Props[mapi.PrEmailAddress] = email
		}
		fx.uid[name] = s.UID
		return s
	}
	mx := add("mx", profile.KindTransport, "smtp", "mx@example.com")
	mx.Props[mapi.PrDisplayName], mx.Props[mapi.PrSMTPHost], mx.Props[mapi.PrSMTPAuth] = "Mx", "smtp.example.com", "plain"
	mx.Props[mapi.PrAddressOverride] = false
	box := add("box", profile.KindTransport, "maildir", "box@example.com")
	box.Props[mapi.PrResourceFlags] = int32(mapi.StatusDefaultOutbound)
	add("bare", profile.KindTransport, "smtp", "")
	add("book", profile.KindAddressBook, "", "")

	secs := []session.SectionSnapshot{
		{Settings: FromSection("work", mx, "/store").Settings(), Credentials: session.Credentials{Username: "u", Password: "pw"},
			Address: "as@example.com", Name: "As", Ordinal: 1},
		{Settings: FromSection("work", box, "/store").Settings(), Address: "box@example.com", Ordinal: 2, DefaultOutbound: true},
	}
	fx.snap = session.NewSnapshot("work", secs, nil, time.Unix(0, 0), time.Hour)
	fx.snap.ID = "sess"
	return fx
}

// resolver resolves under snap (nil: none); built transports are recorded
// in built.
func (fx *fixture) resolver(snap *session.Snapshot, built *[]builtTransport) *Resolver {
	return &Resolver{Session: snap, StoreRoot: "/store",
		ProfileName: func() (string, error) { return "work", nil },
		LoadProfile: func(name string) (*profile.Profile, error) {
			if name != "work" {
				return nil, mapi.Errorf(mapi.NotFound, "no profile %q", name)
			}
			return fx.p, nil
		},
		Identities: func() ([]age.Identity, error) { return nil, nil },
		NewTransport: func(a *Account, c Credentials) (transport.Transport, error) {
			*built = append(*built, builtTransport{a, c})
			return nil, nil
		},
	}
}

// builtTransport is a transport the resolver had built.
type builtTransport struct {
	a *Account
	c Credentials
}

func exitOf(err error) int {
	if err == nil {
		return 0
	}
	return mapi.AsError(err).ExitStatus()
}

// TestSending: the account message send uses, from the profile or the
// session's snapshot; the default transport for ""; the exit of each
// refusal as the commands report it.
func TestSending(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		name      string
		session   bool
		section   string
		want      string // section name
		from      string
		sessionID string
		exit      int
	}{
		{name: "profile section", section: "mx", want: "mx", from: "mx@example.com"},
		{name: "profile default", section: "", want: "box", from: "box@example.com"},
		{name: "profile unknown section", section: "nope", exit: 66},
		{name: "profile not a transport", section: "book", exit: 64},
		{name: "profile no email", section: "bare", exit: 78},
		{name: "session section", session: true, section: "mx", want: "mx", from: "as@example.com", sessionID: "sess"},
		{name: "session default", session: true, section: "", want: "box", from: "box@example.com", sessionID: "sess"},
		{name: "session unknown section", session: true, section: "nope", exit: 66},
		{name: "session section not logged on", session: true, section: "bare", exit: 66},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var snap *session.Snapshot
			if tc.session {
				snap = fx.snap
			}
			a, err := fx.resolver(snap, new([]builtTransport)).Sending(tc.section)
			if got := exitOf(err); got != tc.exit {
				t.Fatalf("exit %d (%v), want %d", got, err, tc.exit)
			}
			if tc.exit != 0 {
				return
			}
			if a.Name != tc.want || a.UID != fx.uid[tc.want] || a.From.Email != tc.from || a.Session != tc.sessionID || a.Profile != "work" {
				t.Fatalf("got %s/%s from %s session %q profile %q, want %s from %s session %q",
					a.Name, a.UID, a.From.Email, a.Session, a.Profile, tc.want, tc.from, tc.sessionID)
			}
		})
	}
}

// TestForSender: sendmail's choice, msmtp's way: --section, else the
// section whose address is the sender, else the default.
func TestForSender(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		name          string
		session       bool
		section, addr string
		want          string
	}{
		{name: "profile by email", addr: "MX@example.com", want: "mx"},
		{name: "profile unknown email", addr: "x@example.com", want: "box"},
		{name: "profile section wins", section: "mx", addr: "box@example.com", want: "mx"},
		{name: "session by its address", session: true, addr: "As@example.com", want: "mx"},
		{name: "session not by the section's own email", session: true, addr: "mx@example.com", want: "box"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var snap *session.Snapshot
			if tc.session {
				snap = fx.snap
			}
			a, err := fx.resolver(snap, new([]builtTransport)).ForSender(tc.section, tc.addr)
			if err != nil || a.Name != tc.want {
				t.Fatalf("got %v, %v; want %s", a, err, tc.want)
			}
		})
	}
}

// TestSectionUIDAndName: spool flush -s and spool list's section column,
// from the session, else the profile.
func TestSectionUIDAndName(t *testing.T) {
	fx := newFixture(t)
	short := *fx.snap
	short.Sections = short.Sections[:1] // mx only
	for _, tc := range []struct {
		name    string
		snap    *session.Snapshot
		section string
		want    string
		exit    int
	}{
		{name: "profile", section: "mx", want: "mx"},
		{name: "profile default", section: "", want: "box"},
		{name: "profile unknown", section: "nope", exit: 66},
		{name: "session", snap: &short, section: "mx", want: "mx"},
		{name: "session falls back to the profile", snap: &short, section: "box", want: "box"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uid, err := fx.resolver(tc.snap, new([]builtTransport)).SectionUID(tc.section)
			if got := exitOf(err); got != tc.exit || uid != fx.uid[tc.want] {
				t.Fatalf("got %q exit %d (%v), want %q exit %d", uid, got, err, fx.uid[tc.want], tc.exit)
			}
		})
	}

	name := fx.resolver(&short, new([]builtTransport)).SectionNamer()
	for _, tc := range []struct{ profile, uid, want string }{
		{"work", fx.uid["mx"], "mx"},
		{"work", fx.uid["box"], "box"},
		{"work", "0000", "0000"},
		{"gone", fx.uid["box"], fx.uid["box"]},
	} {
		if got := name(&spool.Record{Profile: tc.profile, SectionUID: tc.uid}); got != tc.want {
			t.Errorf("name of %s/%s: %q, want %q", tc.profile, tc.uid, got, tc.want)
		}
	}
}

// TestSpoolResolver: a record queued under the session uses its snapshot
// (and its credentials); another, its profile and section uid; one with
// no uid, the profile's default transport; a section gone is 78.
func TestSpoolResolver(t *testing.T) {
	fx := newFixture(t)
	for _, tc := range []struct {
		name string
		rec  spool.Record
		want string
		user string
		exit int
	}{
		{name: "session", rec: spool.Record{Profile: "work", SectionUID: fx.uid["mx"], Session: "sess"}, want: "mx", user: "u"},
		{name: "session section gone", rec: spool.Record{Profile: "work", SectionUID: fx.uid["bare"], Session: "sess"}, exit: 78},
		{name: "profile", rec: spool.Record{Profile: "work", SectionUID: fx.uid["box"]}, want: "box"},
		{name: "other session: profile", rec: spool.Record{Profile: "work", SectionUID: fx.uid["box"], Session: "other"}, want: "box"},
		{name: "no uid: default", rec: spool.Record{Profile: "work"}, want: "box"},
		{name: "profile section gone", rec: spool.Record{Profile: "work", SectionUID: "0000", ID: "x"}, exit: 78},
		{name: "profile gone", rec: spool.Record{Profile: "gone", SectionUID: fx.uid["box"]}, exit: 66},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []builtTransport
			_, err := fx.resolver(fx.snap, &got).Spool()(&tc.rec)
			if e := exitOf(err); e != tc.exit {
				t.Fatalf("exit %d (%v), want %d", e, err, tc.exit)
			}
			if tc.exit != 0 {
				return
			}
			if len(got) != 1 || got[0].a.Name != tc.want || got[0].c.Username != tc.user {
				t.Fatalf("built %+v, want %s as %q", got, tc.want, tc.user)
			}
		})
	}
}

// TestCredentials: a snapshot's are used as they are; a transport that
// logs on without any gets none (no identity loaded); a section with none
// stored is prompted for, or 78 when prompting is not allowed.
func TestCredentials(t *testing.T) {
	fx := newFixture(t)
	r := fx.resolver(nil, new([]builtTransport))
	r.Identities = func() ([]age.Identity, error) { return nil, errors.New("identities loaded") }
	box, _ := fx.p.Section("box")
	if c, err := r.Credentials(FromSection("work", box, "/store")); err != nil || !c.Empty() {
		t.Fatalf("maildir: %+v, %v", c, err)
	}
	if c, err := r.Credentials(FromSnapshot(fx.snap, &fx.snap.Sections[0])); err != nil || c.Password != "pw" {
		t.Fatalf("snapshot: %+v, %v", c, err)
	}

	r = fx.resolver(nil, new([]builtTransport))
	mx, _ := fx.p.Section("mx")
	a := FromSection("work", mx, "/store")
	if _, err := r.Credentials(a); exitOf(err) != 78 {
		t.Fatalf("no prompt: %v, want 78", err)
	}
	r.Prompt = func(got *Account, stored Credentials) (Credentials, error) {
		if got != a || !stored.Empty() {
			t.Fatalf("prompted for %v with %+v", got, stored)
		}
		return Credentials{Username: "p", Password: "typed"}, nil
	}
	if c, err := r.Credentials(a); err != nil || c.Password != "typed" {
		t.Fatalf("prompt: %+v, %v", c, err)
	}
}

// TestSettingsRoundTrip: a section resolved, kept in a snapshot and read
// back is the same account (but for where its credentials come from), and
// unset settings take their defaults.
func TestSettingsRoundTrip(t *testing.T) {
	fx := newFixture(t)
	for _, name := range []string{"mx", "box", "bare"} {
		s, _ := fx.p.Section(name)
		a := FromSection("work", s, "/store")
		ss := session.SectionSnapshot{Settings: a.Settings(), Address: a.Email, Name: a.DisplayName,
			Ordinal: a.Ordinal, DefaultOutbound: a.DefaultOutbound}
		snap := &session.Snapshot{Profile: "work", Sections: []session.SectionSnapshot{ss}}
		b := FromSnapshot(snap, &snap.Sections[0])
		b.creds, b.section = nil, s
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s:\n from section  %+v\n from snapshot %+v", name, a, b)
		}
	}
	box, _ := fx.p.Section("box")
	a := FromSection("work", box, "/store")
	want := Outbound{MaildirPath: filepath.Join("/store", "mail"), Timeout: 30 * time.Second, MultiSession: true, AddressOverride: true}
	if a.Outbound != want {
		t.Fatalf("defaults %+v, want %+v", a.Outbound, want)
	}
	if a.From != (message.Address{Email: "box@example.com"}) {
		t.Fatalf("from %+v", a.From)
	}
}
