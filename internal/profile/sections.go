package profile

import (
	"encoding/hex"
	"slices"

	"github.com/mapictl/mapictl/internal/mapi"
	"github.com/mapictl/mapictl/internal/textsafe"
)

// Transport kinds: how a transport section's mail leaves. "none" is a
// section with only an inbound side (SPEC §8 "or only one of them"): it
// sends nothing, and is never the default transport.
var TransportKinds = []string{"smtp", "maildir", "sendmail", "none"}

// AddSection creates a section of kind in p (MAPI_E_COLLISION if the name is
// taken). A transport section gets PR_RESOURCE_TYPE, PR_PROVIDER_UID and the
// next PR_PROVIDER_ORDINAL, and its transport kind.
func (p *Profile) AddSection(name, kind, transport string) (*Section, error) {
	if err := CheckName("section", name); err != nil {
		return nil, err
	}
	if !slices.Contains(Kinds, kind) || kind == KindGlobal {
		return nil, mapi.Errorf(mapi.InvalidParameter, "invalid section kind %q", clip(kind)).
			WithHint("kinds are service, transport, store and addressbook")
	}
	if _, err := p.Section(name); err == nil {
		return nil, mapi.Errorf(mapi.Collision, "section %q already exists in profile %q", name, p.Name)
	}
	s := &Section{Name: name, UID: NewUID(), Kind: kind, Props: map[mapi.Tag]any{}}
	if kind == KindTransport {
		if transport == "" {
			transport = "smtp"
		}
		if !slices.Contains(TransportKinds, transport) {
			return nil, mapi.Errorf(mapi.InvalidParameter, "unknown transport %q", clip(transport)).
				WithHint("transports are smtp, maildir, sendmail and none (inbound only)")
		}
		uid, _ := hex.DecodeString(s.UID)
		next := int32(1)
		for _, t := range p.Transports() {
			next = max(next, t.Ordinal()+1)
		}
		s.Props[mapi.PrResourceType] = int32(mapi.MapiTransportProvider)
		s.Props[mapi.PrProviderUID] = uid
		s.Props[mapi.PrProviderOrdinal] = next
		s.Props[mapi.PrTransport] = transport
		s.Props[mapi.PrAddrType] = "SMTP"
	} else if transport != "" {
		return nil, mapi.Errorf(mapi.InvalidParameter, "--transport applies only to transport sections")
	}
	p.Sections = append(p.Sections, s)
	return s, nil
}

// RemoveSection deletes section name (not the global one).
func (p *Profile) RemoveSection(name string) error {
	s, err := p.Section(name)
	if err != nil {
		return err
	}
	if s.Kind == KindGlobal {
		return mapi.Errorf(mapi.InvalidParameter, "the global section cannot be deleted")
	}
	p.Sections = slices.DeleteFunc(p.Sections, func(x *Section) bool { return x == s })
	return nil
}

// SetProp validates and sets one non-secure property of s.
func (s *Section) SetProp(t mapi.Tag, v any) error {
	if t.Secure() {
		return mapi.Errorf(mapi.InvalidParameter, "%s is a secure property", mapi.DisplayName(t, s.Scope())).
			WithHint("store credentials with 'mapictl credential set " + textsafe.ShellArg(s.Name) + "'")
	}
	if err := t.Check(); err != nil {
		return err
	}
	if err := mapi.CheckType(t, v); err != nil {
		return mapi.Errorf(mapi.InvalidParameter, "%v", err)
	}
	if s.Kind == KindTransport {
		if err := checkTransportSetting(t, v); err != nil {
			return err
		}
		if err := checkInboundSetting(t, v, oneOfValues(v)); err != nil {
			return err
		}
		if err := checkOAuth2Setting(t, v, oneOfValues(v)); err != nil {
			return err
		}
	}
	s.Props[t] = v
	return nil
}

// reserved tags are maintained by mapictl itself.
var reserved = []mapi.Tag{mapi.PrProviderUID, mapi.PrResourceType, mapi.PrSearchKey, mapi.PrProfileName}

// IsReserved reports whether t is kept by mapictl and may not be set or unset by hand.
func IsReserved(t mapi.Tag) bool { return slices.Contains(reserved, t) }

// oneOfValues returns the check that v is one of the allowed values of the
// setting name.
func oneOfValues(v any) func(name string, allowed ...string) error {
	return func(name string, allowed ...string) error {
		if s, _ := v.(string); !slices.Contains(allowed, s) {
			return mapi.Errorf(mapi.InvalidParameter, "invalid %s %q", name, clip(s)).
				WithHint("one of: " + joinQuoted(allowed))
		}
		return nil
	}
}

// SMTPAuths are the values of smtp.auth (SPEC §6): auto picks OAUTHBEARER
// or XOAUTH2 when the section has oauth2.provider set.
var SMTPAuths = []string{"auto", "scram-sha-256", "plain", "login", "xoauth2", "oauthbearer", "none"}

func checkTransportSetting(t mapi.Tag, v any) error {
	oneOf := oneOfValues(v)
	switch t {
	case mapi.PrTransport:
		return oneOf("transport", TransportKinds...)
	case mapi.PrSMTPSecurity:
		return oneOf("smtp.security", "starttls", "tls", "none")
	case mapi.PrSMTPAuth:
		return oneOf("smtp.auth", SMTPAuths...)
	case mapi.PrSMTPPort:
		if n := v.(int32); n < 1 || n > 65535 {
			return mapi.Errorf(mapi.InvalidParameter, "smtp.port %d is out of range 1-65535", n)
		}
	case mapi.PrTimeout:
		if n := v.(int32); n < 1 {
			return mapi.Errorf(mapi.InvalidParameter, "timeout must be at least 1 second")
		}
	}
	return nil
}

func joinQuoted(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// SetDefaultOutbound makes s the default outbound transport: it sets
// STATUS_DEFAULT_OUTBOUND on s and clears it on every other transport. A
// section with transport none (inbound only) cannot be it.
func (p *Profile) SetDefaultOutbound(s *Section) error {
	if s.Kind != KindTransport {
		return mapi.Errorf(mapi.InvalidParameter, "section %q is not a transport", s.Name)
	}
	if s.Transport() == "none" {
		return mapi.Errorf(mapi.InvalidParameter, "section %q has no outbound side (transport none)", s.Name).
			WithHint("set its transport first, e.g. 'mapictl section set " + textsafe.ShellArg(s.Name) + " transport=smtp'")
	}
	for _, t := range p.Transports() {
		flags := t.Long(mapi.PrResourceFlags, 0) &^ mapi.StatusDefaultOutbound
		if t == s {
			flags |= mapi.StatusDefaultOutbound
		}
		t.Props[mapi.PrResourceFlags] = flags
	}
	return nil
}

// Reorder sets the transport order: the named sections first, in the order
// given, then the others in their current order.
func (p *Profile) Reorder(names []string) error {
	var first []*Section
	for _, n := range names {
		s, err := p.Section(n)
		if err != nil {
			return err
		}
		if s.Kind != KindTransport {
			return mapi.Errorf(mapi.InvalidParameter, "section %q is not a transport", n)
		}
		if slices.Contains(first, s) {
			return mapi.Errorf(mapi.InvalidParameter, "section %q named twice", n)
		}
		first = append(first, s)
	}
	order := first
	for _, t := range p.Transports() {
		if !slices.Contains(order, t) {
			order = append(order, t)
		}
	}
	for i, t := range order {
		t.Props[mapi.PrProviderOrdinal] = int32(i + 1)
	}
	return nil
}

// DefaultTransport is the transport message send uses without --transport:
// the one with STATUS_DEFAULT_OUTBOUND, else the first in transport order;
// sections with transport none (inbound only) are passed over.
func (p *Profile) DefaultTransport() (*Section, error) {
	ts := slices.DeleteFunc(p.Transports(), func(s *Section) bool { return s.Transport() == "none" })
	for _, t := range ts {
		if t.DefaultOutbound() {
			return t, nil
		}
	}
	if len(ts) == 0 {
		return nil, mapi.Errorf(mapi.Unconfigured, "profile %q has no transport section", p.Name).
			WithHint("create one with 'mapictl section create NAME --transport maildir'")
	}
	return ts[0], nil
}
