package manifest

import (
	"fmt"
	"sort"
	"strings"

	"filippo.io/age"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/prf"
	"github.com/mapictl/mapictl/internal/profile"
)

// Import of an Outlook PRF (MAPI.md §6): each [Service List] entry becomes a
// section of kind addressbook (ServiceName EMABLT, CONTAB, MSPST AB), store
// (MSPST, MSUPST, MSPST MS, MSUPST MS) or service (any other), holding the mapped tags as they are, with
// PR_SERVICE_NAME set to the service's ServiceName; mapped secure tags go
// into its secure range. Each internet account becomes an smtp transport
// section named after AccountName.
//
// The PRF's names for the mapped tags ("ServerName" for 0x6600001E) are
// kept in the section as PrPRFNames, a regular PT_MV_UNICODE property
// whose entries read "0x6600001E=ServerName", so that section open can
// show them: MAPI profile sections have no named properties, and the tag
// alone says nothing about a foreign provider's private range.

// PrPRFNames is the property in which an imported service section keeps the
// PRF mapping's name of each imported tag: PT_MV_UNICODE, ID 0x67EF, in the
// provider-private range 0x6600-0x67FF but below the secure range
// 0x67F0-0x67FF, so it is listed and never sealed. Entries are
// "0xTTTTTTTT=Name", sorted by tag.
const PrPRFNames mapi.Tag = 0x67EF101F

// PRFNames reads PrPRFNames from props: tag -> PRF name. Entries that are
// not "0xTTTTTTTT=Name" are skipped.
func PRFNames(props map[mapi.Tag]any) map[mapi.Tag]string {
	list, _ := props[PrPRFNames].([]string)
	if len(list) == 0 {
		return nil
	}
	out := make(map[mapi.Tag]string, len(list))
	for _, e := range list {
		ts, name, ok := strings.Cut(e, "=")
		if !ok || name == "" {
			continue
		}
		t, err := mapi.ParseHexTag(ts)
		if err != nil {
			continue
		}
		out[t] = name
	}
	return out
}

// setPRFNames merges names into s's PrPRFNames (a name read now replaces
// an older one for the same tag).
func setPRFNames(s *profile.Section, names map[mapi.Tag]string) error {
	if len(names) == 0 {
		return nil
	}
	all := PRFNames(s.Props)
	if all == nil {
		all = map[mapi.Tag]string{}
	}
	for t, n := range names {
		all[t] = n
	}
	tags := make([]mapi.Tag, 0, len(all))
	for t := range all {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i] < tags[j] })
	list := make([]string, len(tags))
	for i, t := range tags {
		list[i] = t.String() + "=" + all[t]
	}
	return s.SetProp(PrPRFNames, list)
}

// ImportedProp is one property of an imported service, under the name its
// PRF mapping gives it.
type ImportedProp struct {
	Name   string `json:"name"`
	Tag    string `json:"tag"`
	Secure bool   `json:"secure,omitempty"`
}

// ImportedService is a service the import made into a section.
type ImportedService struct {
	Section string         `json:"section"`
	Mapping string         `json:"mapping"`
	Kind    string         `json:"kind"`
	Service string         `json:"service,omitempty"`
	Props   []ImportedProp `json:"props"`
}

// ImportedAccount is an internet account the import made into a transport.
type ImportedAccount struct {
	Section  string `json:"section"`
	Mapping  string `json:"mapping"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"`
	Email    string `json:"email,omitempty"`
	Username bool   `json:"username"`
	// Inbound is the incoming server mapped onto the inbound side, nil
	// for an account without one.
	Inbound *ImportedInbound `json:"inbound"`
}

// ImportedInbound is an account's incoming server as imported.
type ImportedInbound struct {
	Protocol string `json:"protocol"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"`
	Keep     bool   `json:"keep"`
	Username bool   `json:"username"` // inbound.username stored (it differs from the SMTP one)
}

// ImportSummary is what ImportPRF did.
type ImportSummary struct {
	Profile  string            `json:"profile"`
	Accounts []ImportedAccount `json:"accounts"`
	Services []ImportedService `json:"services"`
	// Changed is false when the import left the profile as it was
	// (an unchanged PRF appended again): nothing was written.
	Changed bool `json:"changed"`
}

// Line is the one-line summary of STORIES.md §4.
func (s *ImportSummary) Line() string {
	var parts []string
	if n := len(s.Accounts); n > 0 {
		var as []string
		for _, a := range s.Accounts {
			as = append(as, fmt.Sprintf("%s → transport %q: %s:%d %s", a.Mapping, a.Section, a.Host, a.Port, a.Security))
		}
		parts = append(parts, fmt.Sprintf("%d internet %s (%s)", n, plural(n, "account"), strings.Join(as, ", ")))
	}
	if n := len(s.Services); n > 0 {
		var ss []string
		for _, v := range s.Services {
			ss = append(ss, v.Section)
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", n, plural(n, "service"), strings.Join(ss, ", ")))
	}
	if len(parts) == 0 {
		parts = []string{"no services or accounts"}
	}
	return "imported " + s.Profile + ": " + strings.Join(parts, ", ")
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// serviceKind maps a MapiSvc.inf service name to a section kind.
func serviceKind(name string) string {
	switch strings.ToUpper(name) {
	case "EMABLT", "CONTAB", "MSPST AB":
		return profile.KindAddressBook
	case "MSPST", "MSUPST", "MSPST MS", "MSUPST MS":
		return profile.KindStore
	}
	return profile.KindService
}

// ImportPRF adds f's services and accounts to p (an existing section of the
// same name and kind is updated: OverwriteProfile=Append). Secure values
// and account user names are sealed to p's recipients (merged into an
// existing range ids can open). Errors: MAPI_E_CORRUPT_DATA naming the PRF
// section and line for a name mapictl cannot use, a reserved tag or a value
// of the wrong type; MAPI_E_NO_ACCESS for a range it cannot open. p is
// changed in memory only.
func ImportPRF(p *profile.Profile, f *prf.File, ids []age.Identity) (*ImportSummary, error) {
	sum := &ImportSummary{Profile: p.Name, Accounts: []ImportedAccount{}, Services: []ImportedService{}}
	for _, svc := range f.Services {
		is, err := importService(p, svc, ids)
		if err != nil {
			return nil, err
		}
		sum.Services = append(sum.Services, *is)
	}
	for _, a := range f.Accounts {
		ia, err := importAccount(p, a, ids)
		if err != nil {
			return nil, err
		}
		sum.Accounts = append(sum.Accounts, *ia)
	}
	return sum, nil
}

func prfErr(section string, line int, format string, args ...any) *mapi.Error {
	e := &prf.Error{Section: section, Line: line, Msg: fmt.Sprintf(format, args...)}
	return mapi.Errorf(mapi.CorruptData, "%s", e.Error())
}

// target returns the section name of kind in p, creating it.
func target(p *profile.Profile, name, kind, transport, prfSection string, line int) (*profile.Section, error) {
	if err := profile.CheckName("section", name); err != nil {
		return nil, prfErr(prfSection, line, "%q cannot name a mapictl section: %s", clip(name), mapi.AsError(err).Msg)
	}
	if s, err := p.Section(name); err == nil {
		if s.Kind != kind {
			return nil, prfErr(prfSection, line, "profile %q already has a %s section %q", p.Name, s.Kind, name)
		}
		return s, nil
	}
	return p.AddSection(name, kind, transport)
}

func importService(p *profile.Profile, svc prf.Service, ids []age.Identity) (*ImportedService, error) {
	kind := serviceKind(svc.ServiceName)
	s, err := target(p, svc.Name, kind, "", "Service List", svc.Line)
	if err != nil {
		return nil, err
	}
	is := &ImportedService{Section: s.Name, Mapping: svc.Mapping, Kind: kind, Service: svc.ServiceName, Props: []ImportedProp{}}
	if svc.ServiceName != "" {
		s.Props[mapi.PrServiceName] = svc.ServiceName
	}
	names := map[mapi.Tag]string{}
	for _, pr := range append(append([]prf.Prop{}, svc.Props...), svc.Secure...) {
		if t := mapi.Tag(pr.Tag); t.ID() == PrPRFNames.ID() {
			return nil, prfErr(svc.ID, pr.Line, "%s: property ID 0x%04X holds mapictl's PRF mapping names", pr.Key, t.ID())
		}
	}
	for _, pr := range svc.Props {
		t := mapi.Tag(pr.Tag)
		if t == mapi.PrServiceName && svc.ServiceName != "" {
			continue
		}
		if err := s.SetProp(t, pr.Value); err != nil {
			return nil, prfErr(svc.ID, pr.Line, "%s: %s", pr.Key, mapi.AsError(err).Msg)
		}
		is.Props = append(is.Props, ImportedProp{Name: pr.Key, Tag: t.String()})
		names[t] = pr.Key
	}
	sec := map[mapi.Tag]any{}
	for _, pr := range svc.Secure {
		t := mapi.Tag(pr.Tag)
		if err := mapi.CheckType(t, pr.Value); err != nil {
			return nil, prfErr(svc.ID, pr.Line, "%s: value has the wrong type", pr.Key)
		}
		sec[t] = pr.Value
		is.Props = append(is.Props, ImportedProp{Name: pr.Key, Tag: t.String(), Secure: true})
		names[t] = pr.Key
	}
	if err := setPRFNames(s, names); err != nil {
		return nil, prfErr(svc.ID, 0, "%s", mapi.AsError(err).Msg)
	}
	return is, mergeSecure(p, s, sec, ids)
}

// mergeSecure adds props to s's secure range (sealed to p's owners and s's
// readers). A range that already holds props, sealed to those recipients
// and bound to s's settings, is left as it is: sealing draws a fresh file
// key, so re-sealing it would rewrite an unchanged profile.
func mergeSecure(p *profile.Profile, s *profile.Section, props map[mapi.Tag]any, ids []age.Identity) error {
	if len(props) == 0 {
		return nil
	}
	if s.Secure != nil {
		c, err := s.OpenSecure(ids)
		if err != nil {
			return err
		}
		same := true
		for t, v := range props {
			old, ok := c.Props[t]
			same = same && ok && equal(t, old, v)
		}
		if same && !p.NeedsReseal(s, ids) {
			return nil
		}
		for t, v := range c.Props {
			if _, ok := props[t]; !ok {
				props[t] = v
			}
		}
	}
	return p.WriteSecure(s, ids, props)
}

func defaultPort(security string) int {
	switch security {
	case "tls":
		return 465
	case "none":
		return 25
	}
	return 587
}

func importAccount(p *profile.Profile, a prf.Account, ids []age.Identity) (*ImportedAccount, error) {
	name := a.AccountName
	if name == "" {
		name = a.ID
	}
	s, err := target(p, name, profile.KindTransport, "smtp", "Internet Account List", a.Line)
	if err != nil {
		return nil, err
	}
	port := a.SMTPPort
	if port == 0 {
		port = defaultPort(a.SMTPSecurity)
	}
	auth := "none"
	if a.SMTPUseAuth {
		auth = "auto"
	}
	set := []struct {
		t mapi.Tag
		v any
	}{
		{mapi.PrTransport, "smtp"}, {mapi.PrSMTPHost, a.SMTPServer}, {mapi.PrSMTPPort, int32(port)},
		{mapi.PrSMTPSecurity, a.SMTPSecurity}, {mapi.PrSMTPAuth, auth},
		{mapi.PrEmailAddress, a.EmailAddress}, {mapi.PrDisplayName, a.DisplayName},
	}
	for _, kv := range set {
		if str, ok := kv.v.(string); ok && str == "" {
			continue
		}
		if err := s.SetProp(kv.t, kv.v); err != nil {
			return nil, prfErr(a.ID, 0, "%s", mapi.AsError(err).Msg)
		}
	}
	ia := &ImportedAccount{Section: s.Name, Mapping: a.Mapping, Host: a.SMTPServer, Port: port,
		Security: a.SMTPSecurity, Email: a.EmailAddress}
	users := map[mapi.Tag]any{}
	smtpUser := ""
	if a.SMTPUseAuth && a.SMTPUserName != "" {
		ia.Username = true
		smtpUser = a.SMTPUserName
		users[mapi.PrUsername] = smtpUser
	}
	if a.IncomingServer != "" && a.IncomingProtocol != "" {
		in, err := importInbound(s, a)
		if err != nil {
			return nil, err
		}
		ia.Inbound = in
		// The section's username serves both sides; the incoming one goes
		// apart only when it differs.
		if a.IncomingUser != "" && a.IncomingUser != smtpUser {
			in.Username = true
			users[mapi.PrInboundUsername] = a.IncomingUser
		}
	}
	if len(users) > 0 {
		if err := mergeSecure(p, s, users, ids); err != nil {
			return nil, err
		}
	} else if p.NeedsReseal(s, ids) {
		// Re-bind to the settings imported now (an owner confirms them).
		if err := p.Reseal(s, ids, true); err != nil && !mapi.IsCode(err, mapi.NoAccess) {
			return nil, err
		}
	}
	return ia, nil
}

// importInbound maps a's incoming server onto s's inbound side (SPEC §8):
// inbound (pop3, imap), inbound.host, inbound.port when the PRF gives one,
// inbound.security (POP3UseSSL/IMAPUseSSL) and, for POP3 with
// LeaveOnServer, inbound.keep (its bit 0x1; the removal after N days or
// from Deleted Items has no mapictl equivalent: a message is kept or
// deleted once delivered).
func importInbound(s *profile.Section, a prf.Account) (*ImportedInbound, error) {
	in := &ImportedInbound{Protocol: a.IncomingProtocol, Host: a.IncomingServer, Security: a.IncomingSecurity, Keep: true}
	set := []struct {
		t mapi.Tag
		v any
	}{
		{mapi.PrInbound, a.IncomingProtocol}, {mapi.PrInboundHost, a.IncomingServer},
		{mapi.PrInboundSecurity, a.IncomingSecurity},
	}
	if a.IncomingPort != 0 {
		set = append(set, struct {
			t mapi.Tag
			v any
		}{mapi.PrInboundPort, int32(a.IncomingPort)})
	}
	if a.LeaveOnServer != nil {
		in.Keep = *a.LeaveOnServer&0x1 != 0
		set = append(set, struct {
			t mapi.Tag
			v any
		}{mapi.PrInboundKeep, in.Keep})
	}
	for _, kv := range set {
		if err := s.SetProp(kv.t, kv.v); err != nil {
			return nil, prfErr(a.ID, 0, "%s", mapi.AsError(err).Msg)
		}
	}
	in.Port = int(s.InboundPort())
	return in, nil
}
